"""Fixtures for the simulator's own tests: the sandbox served in-process, and a callback receiver."""

import json
import threading
import time

import pytest
from werkzeug.serving import make_server
from werkzeug.wrappers import Request, Response

from mpesa_sandbox import SandboxClient, create_app


class Served:
	def __init__(self, app):
		self.server = make_server("127.0.0.1", 0, app, threaded=True)
		self.url = f"http://127.0.0.1:{self.server.server_port}"
		self.thread = threading.Thread(
			target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
		)
		self.thread.start()

	def close(self):
		self.server.shutdown()
		self.server.server_close()


class Receiver:
	"""Collects every callback posted to it; answers with a scripted body per path."""

	def __init__(self):
		self.received = []
		self.replies = {}
		self.lock = threading.Lock()
		self.served = Served(self.app)
		self.url = self.served.url

	def app(self, environ, start_response):
		request = Request(environ)
		body = request.get_data(as_text=True)
		with self.lock:
			self.received.append({"path": request.path, "args": dict(request.args), "body": json.loads(body)})
		reply = self.replies.get(request.path, {"ResultCode": 0, "ResultDesc": "Accepted"})
		return Response(json.dumps(reply), mimetype="application/json")(environ, start_response)

	def on(self, path):
		with self.lock:
			return [r for r in self.received if r["path"] == path]

	def wait_for(self, path, count=1, timeout=10):
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if len(self.on(path)) >= count:
				return self.on(path)
			time.sleep(0.02)
		raise AssertionError(f"expected {count} callback(s) on {path}, got {len(self.on(path))}")


@pytest.fixture(scope="module")
def served_sandbox():
	app = create_app(result_delay=0.05)
	served = Served(app)
	yield served, app.sandbox
	served.close()


@pytest.fixture
def sandbox(served_sandbox):
	served, state = served_sandbox
	state.reset()
	state.configure(
		{
			"consumer_key": None,
			"consumer_secret": None,
			"token_ttl": 3599,
			"result_delay": 0.05,
			"initiator_name": None,
			"initiator_password": None,
			"utility_balance": "1000000.00",
		}
	)
	client = SandboxClient(served.url)
	client.state = state
	yield client
	client.drain(10)


@pytest.fixture
def receiver():
	r = Receiver()
	yield r
	r.served.close()
