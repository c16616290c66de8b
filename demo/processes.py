"""The demo's two servers (the M-Pesa sandbox and `frappe-lite serve`) as child processes.

Each is a tests.helpers.server.Service (plain Python, no pytest) run in its own process group and logging
to a file, stopped (SIGTERM to its group, then SIGKILL) by `Services.stop_all()`, which the demo calls in a
`finally`: on success, on error and on Ctrl-C.
"""

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
	sys.path.append(str(ROOT))  # appended: the mpesa_sandbox/ project folder must not shadow the package

from tests.helpers.server import FrappeServe, Service, ServiceError, free_port  # noqa: E402, F401


class DemoError(Exception):
	"""A step of the demo failed: the message says what, and where to look."""


class Services:
	"""The started services, stopped in reverse order."""

	def __init__(self):
		self.started = []

	def start(self, service: Service, timeout: float = 30) -> Service:
		self.started.append(service)
		try:
			return service.start(timeout)
		except ServiceError as exc:
			raise DemoError(str(exc)) from None

	def stop_all(self):
		for service in reversed(self.started):
			try:
				service.stop()
			except Exception as exc:  # stopping one must not leave the other running
				print(f"  (could not stop {service.name}: {exc!r})")
		self.started.clear()
