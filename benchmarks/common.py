"""Shared by the benchmarks: throwaway sites, backends, query counting, timing and the result table.

Sites come from the test fixtures (tests/conftest.py: create_test_site / drop_test_site), so a benchmark site
is made exactly like a test site (MariaDB database named fltest_<run>_<n>) and is dropped afterwards."""

import contextlib
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time

REPO_ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
if REPO_ROOT not in sys.path:
	sys.path.insert(0, REPO_ROOT)

from tests import conftest  # noqa: E402  (the shared site fixtures)

BACKENDS = ("sqlite", "mariadb")
SITES_PATH = None


def sites_path() -> str:
	global SITES_PATH
	if SITES_PATH is None:
		SITES_PATH = tempfile.mkdtemp(prefix="flbench_")
	return SITES_PATH


def mariadb_reason():
	"""None when MariaDB answers, else why it is skipped."""
	return conftest.mariadb_reason()


@contextlib.contextmanager
def throwaway_site(backend: str):
	"""A new site with the app installed, payouts held (no Redis, no Daraja), dropped on exit."""
	site = conftest.create_test_site(backend, sites_path())
	try:
		with site.connect():
			from tuktuk_management.tests.utils import SERVED_C2B_SETTINGS, apply_settings

			apply_settings(SERVED_C2B_SETTINGS)
		yield site
	finally:
		conftest.drop_test_site(site)


def cleanup_leftovers():
	"""Drop any MariaDB database this run left behind (a crashed benchmark must not leak)."""
	conftest.drop_leftover_databases("benchmark")


@contextlib.contextmanager
def count_queries(frappe):
	"""Count calls to frappe.db.sql (every db helper goes through it) while the block runs."""
	cls = frappe.db.__class__  # the proxy forwards __class__ to the Database object
	had_own = "sql" in cls.__dict__
	original = cls.sql
	counter = {"n": 0}

	def counting_sql(self, *args, **kwargs):
		counter["n"] += 1
		return original(self, *args, **kwargs)

	cls.sql = counting_sql
	try:
		yield counter
	finally:
		if had_own:
			cls.sql = original
		else:
			del cls.sql


def run_together(commands, what, env=None):
	"""Start one process per command (in the repo root, which is put on PYTHONPATH), wait until each prints
	"ready", then tell them all "go" at once, so none is measured while others still import and connect.
	Returns each one's JSON summary (its last line on stdout). A process that does not start or exits non-zero
	raises RuntimeError with its stderr's tail; what a successful one wrote to stderr is echoed."""
	env = dict(os.environ if env is None else env)
	env["PYTHONPATH"] = os.pathsep.join(p for p in (REPO_ROOT, env.get("PYTHONPATH", "")) if p)
	procs = [
		subprocess.Popen(
			command,
			stdin=subprocess.PIPE,
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
			cwd=REPO_ROOT,
			env=env,
		)
		for command in commands
	]
	for p in procs:
		line = p.stdout.readline()
		if line.strip() != "ready":
			for other in procs:
				other.kill()
			raise RuntimeError(f"{what} did not start: {line!r}\n{p.stderr.read()[-3000:]}")
	for p in procs:  # go
		p.stdin.write("go\n")
		p.stdin.flush()
	summaries = []
	for p in procs:
		out, err = p.communicate(timeout=600)
		if p.returncode != 0:
			raise RuntimeError(f"{what} failed:\n{err[-3000:]}")
		summaries.append(json.loads(out.strip().splitlines()[-1]))
		if err.strip():
			print(err[-1500:], file=sys.stderr)
	return summaries


def percentile(values, p):
	"""The p-th percentile (nearest rank) of values."""
	if not values:
		return float("nan")
	ordered = sorted(values)
	k = max(0, min(len(ordered) - 1, round(p / 100 * len(ordered) + 0.5) - 1))
	return ordered[k]


def median(values):
	return statistics.median(values) if values else float("nan")


class Timer:
	def __enter__(self):
		self.started = time.perf_counter()
		return self

	def __exit__(self, *exc):
		self.seconds = time.perf_counter() - self.started


class Table:
	"""Rows of one benchmark, printed as an aligned table."""

	def __init__(self, title, columns):
		self.title = title
		self.columns = columns
		self.rows = []

	def add(self, *cells):
		self.rows.append([fmt(c) for c in cells])

	def render(self) -> str:
		widths = [len(c) for c in self.columns]
		for row in self.rows:
			widths = [max(w, len(c)) for w, c in zip(widths, row, strict=True)]
		line = "  ".join("-" * w for w in widths)
		out = [
			self.title,
			line,
			"  ".join(c.ljust(w) for c, w in zip(self.columns, widths, strict=True)),
			line,
		]
		out += [
			"  ".join(
				c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(row, widths, strict=True))
			)
			for row in self.rows
		]
		out.append(line)
		return "\n".join(out)


def fmt(value) -> str:
	if isinstance(value, float):
		if value != value:
			return "-"
		if abs(value) >= 100:
			return f"{value:,.0f}"
		if abs(value) >= 10:
			return f"{value:.1f}"
		return f"{value:.2f}"
	if isinstance(value, int):
		return f"{value:,}"
	return str(value)


def ratio(numerator, denominator) -> str:
	if not denominator:
		return "-"
	return f"{numerator / denominator:.2f}x"
