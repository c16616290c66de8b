"""HTTP servers as child processes, `frappe-lite serve` above all: on a free port, ready once their health URL
answers 200, stopped (SIGTERM, then SIGKILL) at the end, their output in a log file.

Used by the tests, the benchmarks and the demo: no pytest, no frappe here."""

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

FRAPPE_LITE = str(Path(sys.executable).parent / "frappe-lite")


class ServiceError(RuntimeError):
	"""A served process exited, or did not answer, while starting; the message ends with its log's tail."""


def free_port() -> int:
	with socket.socket() as s:
		s.bind(("127.0.0.1", 0))
		return s.getsockname()[1]


class Service:
	"""A command serving HTTP on `url`, in its own process, its stdout and stderr in `log_path`.

	`start()` returns once GET `url + health_path` answers 200 (raising ServiceError, with the server
	stopped, if the process exits or the deadline passes first); `stop()` may be called any number of times.
	With `own_group`, the process gets a process group of its own, and stopping signals the whole group (no
	orphaned workers). Also a context manager: started on enter, stopped on exit."""

	def __init__(
		self, name, args, url, health_path, log_path, *, cwd=None, env=None, headers=None, own_group=False
	):
		self.name, self.args, self.url = name, [str(a) for a in args], url
		self.health_path, self.log_path = health_path, Path(log_path)
		self.cwd, self.env, self.headers, self.own_group = cwd, env, headers, own_group
		self.process = None
		self._log = None

	def start(self, timeout: float = 60):
		self._log = open(self.log_path, "w")
		self.process = subprocess.Popen(
			self.args,
			stdout=self._log,
			stderr=subprocess.STDOUT,
			stdin=subprocess.DEVNULL,
			cwd=self.cwd,
			env=self.env,
			start_new_session=self.own_group,
		)
		deadline = time.monotonic() + timeout
		while time.monotonic() < deadline:
			if self.process.poll() is not None:
				code = self.process.returncode
				self.stop()
				raise ServiceError(f"{self.name} exited with code {code} while starting.\n{self.log_tail()}")
			try:
				reply = requests.get(self.url + self.health_path, headers=self.headers, timeout=1)
				if reply.status_code == 200:
					return self
			except requests.RequestException:
				pass
			time.sleep(0.1)
		self.stop()
		raise ServiceError(
			f"{self.name} did not answer on {self.url} within {timeout:.0f} s.\n{self.log_tail()}"
		)

	def stop(self, timeout: float = 20):
		process = self.process
		if process is not None and process.poll() is None:
			self._signal(signal.SIGTERM)
			try:
				process.wait(timeout=timeout)
			except subprocess.TimeoutExpired:
				self._signal(signal.SIGKILL)
				process.wait()
		if process is not None and self.own_group:
			self._signal(signal.SIGKILL)  # workers left behind by a master that died first
		if self._log:
			self._log.close()
			self._log = None

	def _signal(self, sig):
		try:
			if self.own_group:
				os.killpg(self.process.pid, sig)  # the group start_new_session made for the child
			else:
				self.process.send_signal(sig)
		except (ProcessLookupError, PermissionError):
			pass

	def log_text(self) -> str:
		try:
			return self.log_path.read_text(errors="replace")
		except OSError:
			return ""

	def log_tail(self, lines: int = 40) -> str:
		if not self.log_path.exists():
			return f"(no log at {self.log_path})"
		tail = "\n".join(self.log_text().splitlines()[-lines:])
		return f"--- last lines of {self.log_path} ---\n{tail}" if tail else f"({self.log_path} is empty)"

	def __enter__(self):
		return self.start()

	def __exit__(self, *exc):
		self.stop()


class FrappeServe(Service):
	"""`frappe-lite serve` for `site` (or, with site=None, for every site of `sites_path`, routed by Host),
	ready once /api/method/ping answers. The log defaults to <sites_path>/serve-<port>.log."""

	def __init__(self, sites_path, site=None, *, port=None, workers=None, log_path=None, **options):
		self.port = port or free_port()
		args = [FRAPPE_LITE, "--sites-path", str(sites_path)]
		if site:
			args += ["--site", site]
		args += ["serve", "--port", str(self.port)]
		if workers:
			args += ["--workers", str(workers)]
		super().__init__(
			"frappe-lite serve",
			args,
			f"http://127.0.0.1:{self.port}",
			"/api/method/ping",
			log_path or Path(sites_path) / f"serve-{self.port}.log",
			**options,
		)
