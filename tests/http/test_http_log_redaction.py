"""`frappe-lite serve` writes no secret from a URL to its log: the access line, gunicorn's error lines and the
traceback of a 500 carry "[redacted]" for the value of ``token``, ``api_key``, ``sid`` (and similar) query
parameters, and keep everything else."""

from pathlib import Path

import requests

from tests.helpers.server import FrappeServe

SECRET = "CallbackSecret-7f3a9c1e5b"


def test_no_secret_in_the_server_log(http_site):
	log_path = Path(http_site.sites_path) / "serve-redaction.log"
	server = FrappeServe(http_site.sites_path, http_site.name, log_path=log_path)
	server.args.append("--access-log")
	with server:
		base = f"http://127.0.0.1:{server.port}/api/method/http_fixture.api"
		ok = requests.get(f"{base}.whoami", params={"token": SECRET, "keep": "visible-1"}, timeout=30)
		assert ok.status_code == 200
		failed = requests.post(
			f"{base}.raise_error",
			params={"token": SECRET, "api_key": SECRET},
			json={"kind": "url"},
			timeout=30,
		)
		assert failed.status_code == 500
	log = log_path.read_text()
	assert "visible-1" in log, log[-2000:]  # the access line is there...
	assert "token=[redacted]" in log  # ...and the traceback's message, scrubbed
	assert "failed on" in log
	assert SECRET not in log, [line for line in log.splitlines() if SECRET in line]
