"""Test helpers: run the simulator as a separate process and drive its control API."""

import re
import subprocess
import sys
import time

import requests


class SandboxClient:
	"""Talks to a running simulator's control endpoints."""

	def __init__(self, base_url: str):
		self.base_url = base_url.rstrip("/")
		self.http = requests.Session()

	def _call(self, method, path, **kwargs):
		response = self.http.request(method, self.base_url + path, timeout=60, **kwargs)
		response.raise_for_status()
		return response.json()

	def script(self, outcome="success", **fields):
		"""Script the next request(s): phone=..., originator_conversation_id=..., times=..., api=..."""
		return self._call("POST", "/__sandbox/script", json={"outcome": outcome, **fields})["added"][0]

	def configure(self, **values):
		return self._call("POST", "/__sandbox/config", json=values)

	def ledger(self, originator_conversation_id=None):
		params = (
			{"originator_conversation_id": originator_conversation_id} if originator_conversation_id else None
		)
		return self._call("GET", "/__sandbox/ledger", params=params)

	def payments_count(self, originator_conversation_id=None) -> int:
		return self.ledger(originator_conversation_id)["count"]

	def callbacks(self):
		return self._call("GET", "/__sandbox/callbacks")["deliveries"]

	def drain(self, timeout=30):
		"""Wait until every scheduled callback was delivered."""
		response = self.http.post(
			self.base_url + "/__sandbox/drain", params={"timeout": timeout}, timeout=timeout + 5
		)
		return response.json()["drained"]

	def reset(self):
		return self._call("POST", "/__sandbox/reset")

	def expire_tokens(self):
		return self._call("POST", "/__sandbox/expire_tokens")

	def certificate(self) -> str:
		response = self.http.get(self.base_url + "/__sandbox/certificate", timeout=30)
		response.raise_for_status()
		return response.text


class SandboxProcess:
	"""`with SandboxProcess() as sandbox:` starts `python -m mpesa_sandbox --port 0` and stops it on exit."""

	def __init__(self, *args, python=None, startup_timeout=20):
		self.args = list(args)
		self.python = python or sys.executable
		self.startup_timeout = startup_timeout
		self.process = None
		self.url = None
		self.client = None

	def start(self):
		self.process = subprocess.Popen(
			[self.python, "-u", "-m", "mpesa_sandbox", "--port", "0", *self.args],
			stdout=subprocess.PIPE,
			stderr=subprocess.DEVNULL,
			text=True,
		)
		deadline = time.monotonic() + self.startup_timeout
		while time.monotonic() < deadline:
			line = self.process.stdout.readline()
			match = re.search(r"listening on (http://\S+)", line or "")
			if match:
				self.url = match.group(1)
				self.client = SandboxClient(self.url)
				return self
			if self.process.poll() is not None:
				break
		self.stop()
		raise RuntimeError("mpesa_sandbox did not start")

	def stop(self):
		if self.process and self.process.poll() is None:
			self.process.terminate()
			try:
				self.process.wait(5)
			except subprocess.TimeoutExpired:
				self.process.kill()
				self.process.wait()
		if self.process and self.process.stdout:
			self.process.stdout.close()

	def __enter__(self):
		return self.start()

	def __exit__(self, *exc):
		self.stop()
