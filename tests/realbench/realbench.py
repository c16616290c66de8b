"""Helpers of the real-bench tier: the facts file build.sh writes, and the bench's commands as subprocesses.

Nothing here imports frappe: the checkout's .venv has frappe_lite as `frappe`; the real Frappe lives in the
bench's own env and is only ever reached through `realbench/bench` (what `bench` runs) or over HTTP."""

import json
import os
import re
import subprocess
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]
BENCH_CMD = REPO / "realbench" / "bench"


def default_bench_dir() -> Path:
	if os.environ.get("REALBENCH_DIR"):
		return Path(os.environ["REALBENCH_DIR"])
	return Path("/srv/tuktuk-realbench") if os.geteuid() == 0 else Path.home() / "tuktuk-realbench"


def facts_path() -> Path:
	return Path(os.environ.get("REALBENCH_FACTS") or default_bench_dir() / "realbench.json")


class Facts(dict):
	"""The connection facts of the built bench (realbench.json), with the HTTP helpers a test needs.

	Keys: bench_path, checkout, bench_cmd, site, test_site, base_url, host_header, site_url, admin_user,
	admin_password, manager{user,password,api_key,api_secret,authorization}, reference_driver, artifacts_dir,
	db_name, test_db_name, redis_cache, redis_queue, frappe_version."""

	@property
	def artifacts(self) -> Path:
		path = Path(self["artifacts_dir"])
		path.mkdir(parents=True, exist_ok=True)
		return path

	def headers(self, token=True) -> dict:
		headers = {"Host": self["host_header"]}
		if token:
			headers["Authorization"] = self["manager"]["authorization"]
		return headers

	def get(self, path, token=True, **kw):  # noqa: A003 - HTTP verb
		return requests.get(self["base_url"] + path, headers=self.headers(token), timeout=60, **kw)


def load_facts() -> Facts:
	return Facts(json.loads(facts_path().read_text()))


def unavailable_reason() -> str | None:
	"""None when a built bench answers for this checkout, else why the tier cannot run."""
	path = facts_path()
	if not path.exists():
		return f"no bench built ({path} missing; build one with: make realbench)"
	try:
		facts = load_facts()
	except (OSError, ValueError) as e:
		return f"unreadable facts file {path} ({e})"
	try:
		r = requests.get(
			facts["base_url"] + "/api/method/ping", headers={"Host": facts["host_header"]}, timeout=10
		)
		if r.status_code != 200:
			return f"the bench at {facts['base_url']} answers {r.status_code} to /api/method/ping"
	except requests.RequestException as e:
		return f"the bench at {facts['base_url']} does not answer (start it: make realbench-start) ({type(e).__name__})"
	return None


def bench(*args, stdin=None, env=None, timeout=900, check=False) -> subprocess.CompletedProcess:
	"""`bench ARGS` on the real bench (realbench/bench: the bench env's python -m frappe.utils.bench_helper
	frappe ARGS, in sites/), output captured as text (stderr folded into stdout)."""
	full_env = dict(os.environ)
	# The checkout's virtualenv must not leak into the bench's processes.
	for var in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME"):
		full_env.pop(var, None)
	full_env.update(env or {})
	result = subprocess.run(
		[str(BENCH_CMD), *args],
		input=stdin,
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		env=full_env,
		timeout=timeout,
	)
	if check and result.returncode:
		raise AssertionError(f"bench {' '.join(args)} exited {result.returncode}:\n{result.stdout[-4000:]}")
	return result


def run_script(script, *args, timeout=900) -> subprocess.CompletedProcess:
	env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
	return subprocess.run(
		[str(REPO / "realbench" / script), *args],
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		env=env,
		timeout=timeout,
	)


# Lines the tier reports at the end of the run whatever the outcome (conftest's pytest_terminal_summary).
REPORT: list[str] = []

_PROGRESS = re.compile(r"[^\n]*\r(?!\n)")
_ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def readable(output: str) -> str:
	"""Output without ANSI colours and the carriage-return progress bars Frappe draws (keeps each bar's last
	state)."""
	return _PROGRESS.sub("", _ANSI.sub("", output))
