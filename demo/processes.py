"""The demo's two servers (the M-Pesa sandbox and `frappe-lite serve`) as child processes.

Each runs in its own process group, logs to a file, and is stopped (SIGTERM to its group, then SIGKILL)
by `Services.stop_all()`, which the demo calls in a `finally`: on success, on error and on Ctrl-C.
"""

import os
import signal
import socket
import subprocess
import time
from pathlib import Path

import requests


class DemoError(Exception):
	"""A step of the demo failed: the message says what, and where to look."""


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class Service:
	def __init__(self, name: str, args: list, url: str, health_path: str, log_path: Path, cwd: Path):
		self.name, self.args, self.url = name, [str(a) for a in args], url
		self.health_path, self.log_path, self.cwd = health_path, log_path, cwd
		self.process = None
		self._log = None

	def start(self, timeout: float = 30):
		self._log = open(self.log_path, "w")
		self.process = subprocess.Popen(
			self.args,
			stdout=self._log,
			stderr=subprocess.STDOUT,
			stdin=subprocess.DEVNULL,
			cwd=self.cwd,
			start_new_session=True,  # its own process group: stopped as a whole, never orphaned workers
		)
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				raise DemoError(
					f"{self.name} exited with code {self.process.returncode} while starting.\n{self.log_tail()}"
				)
			try:
				if requests.get(self.url + self.health_path, timeout=1).status_code == 200:
					return self
			except requests.RequestException:
				pass
			time.sleep(0.1)
		raise DemoError(
			f"{self.name} did not answer on {self.url} within {timeout:.0f} s.\n{self.log_tail()}"
		)

	def stop(self):
		process = self.process
		if process is not None and process.poll() is None:
			_signal_group(process, signal.SIGTERM)
			try:
				process.wait(timeout=15)
			except subprocess.TimeoutExpired:
				_signal_group(process, signal.SIGKILL)
				process.wait()
		if process is not None:
			# Workers left behind by a master that died first.
			_signal_group(process, signal.SIGKILL)
		if self._log:
			self._log.close()
			self._log = None

	def log_tail(self, lines: int = 30) -> str:
		try:
			text = self.log_path.read_text(errors="replace")
		except OSError:
			return f"(no log at {self.log_path})"
		tail = "\n".join(text.splitlines()[-lines:])
		return f"--- last lines of {self.log_path} ---\n{tail}" if tail else f"({self.log_path} is empty)"


def _signal_group(process, sig):
	try:
		os.killpg(process.pid, sig)  # the group this demo created for the child (start_new_session)
	except (ProcessLookupError, PermissionError):
		pass


class Services:
	"""The started services, stopped in reverse order."""

	def __init__(self):
		self.started = []

	def start(self, service: Service, timeout: float = 30) -> Service:
		self.started.append(service)
		return service.start(timeout)

	def stop_all(self):
		for service in reversed(self.started):
			try:
				service.stop()
			except Exception as exc:  # stopping one must not leave the other running
				print(f"  (could not stop {service.name}: {exc!r})")
		self.started.clear()
