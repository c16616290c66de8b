"""mpesa_sandbox: a local, protocol-faithful simulator of Safaricom's Daraja API.

`python -m mpesa_sandbox --port 8089` serves it; `SandboxProcess` starts it as a separate process for tests
and `SandboxClient` drives its control API (`/__sandbox/...`).
"""

from .app import DarajaApp, Sandbox, create_app
from .client import SandboxClient, SandboxProcess

__all__ = ["DarajaApp", "Sandbox", "SandboxClient", "SandboxProcess", "create_app"]
