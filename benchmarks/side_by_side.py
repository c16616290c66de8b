"""The side-by-side benchmark (``make bench``): the app's C2B confirmation against the floors under it and
the code it replaces, in one run, on frappe_lite (SQLite, MariaDB) and on a real Frappe v15 bench.

For 1..16 clients, on ONE hot driver (every payment to the same row: the lock is the bottleneck) and on 100
drivers, every variant runs in turn on the same site with the same client processes (a pool kept alive
through the run, so no cell pays for imports or connections); the order of the variants is mirrored from one
cell to the next, so a drift in the machine's load does not favour one of them.

In-process (the clients are processes connected to the site's database, as a web worker is):
  db_bare           raw driver (PyMySQL / sqlite3): lock, ledger row, atomic update, commit
  db_same           raw driver, the app's guarantees statement for statement (inbox row committed first,
                    driver resolved and locked, ledger row, payout row, driver update, inbox marked, commit)
  framework_floor   the same bare credit through frappe.db (benchmarks/fixture_app: locked_credit)
  reference_fixed   the reference document's fixed path as written there (get_doc for_update, insert, ...)
  read_modify_save  the pre-fix path (no lock, save()): its lost and refused payments are the point
  app               tuktuk_management.api.tuktuk.mpesa_confirmation, called as the endpoint
Over HTTP (frappe-lite serve; the real bench's gunicorn): ping, and the last four as whitelisted methods.

Per cell: payments/s, p50/p95/p99, and correctness from the database: payments sent and acknowledged,
ledger rows written, the expected balance change (every payment's contribution, computed here) against the
balance change found, and what was lost. The load average is printed with every cell.

    .venv/bin/python -m benchmarks.side_by_side                 # BENCH_MODE=quick (default) or full
    BENCH_TARGETS=lite-mariadb,realbench ...                    # a subset of targets

The real bench is found like the realbench test tier finds it (REALBENCH_DIR, default /srv/tuktuk-realbench,
its realbench.json); without one its rows are skipped with a line saying why."""

import datetime
import json
import math
import os
import subprocess
import sys
import time
from decimal import Decimal
from pathlib import Path

from benchmarks.common import REPO_ROOT, mariadb_reason, percentile, sites_path

FIXTURE_APP = os.path.join(REPO_ROOT, "benchmarks", "fixture_app")
RESULTS = Path(REPO_ROOT) / "benchmarks" / "RESULTS.md"
PLOTS = Path(REPO_ROOT) / "benchmarks" / "plots"
SPREAD_DRIVERS = 100
INPROC_VARIANTS = ("db_bare", "db_same", "framework_floor", "reference_fixed", "read_modify_save", "app")
HTTP_VARIANTS = ("ping", "framework_floor", "reference_fixed", "read_modify_save", "app")
MODES = {
	# clients levels, payments per cell (split over the clients), least per client
	"quick": ((1, 2, 4, 8, 16), 64, 4),
	"full": ((1, 2, 4, 8, 16), 200, 10),
	"smoke": ((1, 2), 6, 2),  # a check that everything runs, not a measurement
}


_RUN = os.urandom(3).hex().upper()
_cells = iter(range(1, 10**6))


def unique_prefix() -> str:
	"""The start of every TransID of one cell: this run's id and the cell's number (letters and digits)."""
	return f"B{_RUN}N{next(_cells)}"


def load() -> str:
	return f"{os.getloadavg()[0]:.1f}"


class Pool:
	"""N worker processes (benchmarks/pool_worker.py), started once, given one cell at a time."""

	def __init__(self, args, size, env):
		env = dict(env)
		env["PYTHONPATH"] = os.pathsep.join(
			p for p in (REPO_ROOT, FIXTURE_APP, env.get("PYTHONPATH", "")) if p
		)
		self.procs = [
			subprocess.Popen(
				[sys.executable, "-m", "benchmarks.pool_worker", *args],
				stdin=subprocess.PIPE,
				stdout=subprocess.PIPE,
				stderr=sys.stderr,
				text=True,
				cwd=REPO_ROOT,
				env=env,
			)
			for _ in range(size)
		]
		for p in self.procs:
			self._expect(p, "ready")

	def _expect(self, p, word):
		line = p.stdout.readline()
		if line.strip() != word:
			self.close()
			raise RuntimeError(f"pool worker said {line!r} instead of {word!r}")

	def run(self, variant, clients, count, drivers, prefix, token=None):
		"""One cell: ``clients`` workers, ``count`` payments each; client c starts at a different driver."""
		used = self.procs[:clients]
		for c, p in enumerate(used):
			shift = (c * len(drivers)) // clients
			job = {
				"variant": variant,
				"count": count,
				"drivers": drivers[shift:] + drivers[:shift],
				"prefix": f"{prefix}C{c}X",
				"token": token,
			}
			p.stdin.write(json.dumps(job) + "\n")
			p.stdin.flush()
		for p in used:
			self._expect(p, "armed")
		for p in used:
			p.stdin.write("go\n")
			p.stdin.flush()
		return [json.loads(p.stdout.readline()) for p in used]

	def close(self):
		for p in self.procs:
			try:
				p.stdin.write("quit\n")
				p.stdin.flush()
			except Exception:
				pass
		for p in self.procs:
			try:
				p.wait(timeout=30)
			except subprocess.TimeoutExpired:
				p.kill()


# -- reading the truth from the database -----------------------------------------------------------------


class Probe:
	"""Sum of the drivers' balances and count of their ledger rows, read with a raw connection."""

	def __init__(self, connect, mark):
		self.connect, self.mark = connect, mark

	def totals(self, drivers):
		conn = self.connect()
		try:
			cur = conn.cursor()
			names = [d for d, _ in drivers]
			marks = ", ".join([self.mark] * len(names))
			cur.execute(
				f"select coalesce(sum(current_balance), 0) from `tabTukTuk Driver` where name in ({marks})",
				names,
			)
			balance = Decimal(str(cur.fetchone()[0])).quantize(Decimal("0.01"))
			cur.execute(f"select count(*) from `tabTukTuk Transaction` where driver in ({marks})", names)
			rows = int(cur.fetchone()[0])
			return balance, rows
		finally:
			conn.close()


def mariadb_probe(db_name, user="root", password="", host="127.0.0.1", port=3306):
	import pymysql

	return Probe(
		lambda: pymysql.connect(host=host, port=int(port), user=user, password=password, database=db_name),
		"%s",
	)


def sqlite_probe(path):
	import sqlite3

	return Probe(lambda: sqlite3.connect(path, timeout=60), "?")


# -- one target ---------------------------------------------------------------------------------------------


def measure(pool, probe, target, variants, drivers_by_kind, mode, token, rows, log):
	levels, per_cell, least = MODES[mode]
	flip = False
	for kind, drivers in drivers_by_kind.items():
		for clients in levels:
			count = max(least, math.ceil(per_cell / clients))
			order = list(reversed(variants)) if flip else list(variants)
			flip = not flip
			for variant in order:
				before = probe.totals(drivers) if variant != "ping" else (Decimal(0), 0)
				results = pool.run(variant, clients, count, drivers, unique_prefix(), token)
				after = probe.totals(drivers) if variant != "ping" else (Decimal(0), 0)
				row = summarise(target, kind, clients, variant, results, before, after)
				rows.append(row)
				log(
					f"  {target:14s} {kind:6s} {clients:2d} clients  {variant:17s} {row['per_s']:7.1f}/s"
					f"  p50 {row['p50']:6.1f} ms  p99 {row['p99']:6.1f} ms  sent {row['sent']:4d}"
					f"  rows +{row['ledger_rows']:4d}  lost {row['lost']}  load {row['load']}"
				)


def summarise(target, kind, clients, variant, results, before, after):
	elapsed = max(r["finished"] for r in results) - min(r["started"] for r in results)
	latencies = [x for r in results for x in r["latencies"]]
	sent = len(latencies)
	expected = sum(Decimal(r["sent_total"]) for r in results)
	acknowledged = sum(Decimal(r["ok_total"]) for r in results)
	delta = after[0] - before[0]
	kinds = {}
	for r in results:
		for k, v in r["error_kinds"].items():
			kinds[k] = kinds.get(k, 0) + v
	return {
		"target": target,
		"drivers": kind,
		"clients": clients,
		"variant": variant,
		"per_s": sent / elapsed if elapsed else 0.0,
		"p50": percentile(latencies, 50) * 1000,
		"p95": percentile(latencies, 95) * 1000,
		"p99": percentile(latencies, 99) * 1000,
		"sent": sent,
		"ok": sum(r["ok"] for r in results),
		"errors": sum(r["errors"] for r in results),
		"error_kinds": kinds,
		"ledger_rows": after[1] - before[1],
		"expected": str(expected),
		"balance_change": str(delta),
		"lost": str(expected - delta) if variant != "ping" else "-",
		"lost_silently": str(acknowledged - delta) if variant != "ping" else "-",
		"load": load(),
	}


def lite_target(backend, mode, log, rows, notes):
	from benchmarks.common import throwaway_site  # noqa: F401  (documents where sites come from)
	from tests import conftest

	site = conftest.create_test_site(
		backend, sites_path(), apps=("tuktuk_management", "tuktuk_bench"), pythonpath=(FIXTURE_APP,)
	)
	try:
		with site.connect() as frappe:
			from tuktuk_management.tests.utils import (
				SERVED_C2B_SETTINGS,
				account_of,
				apply_settings,
				callback_token,
				make_split_driver,
			)

			apply_settings(SERVED_C2B_SETTINGS)
			drivers = []
			for _ in range(SPREAD_DRIVERS):
				d = make_split_driver()
				drivers.append([d.name, account_of(d)])
			frappe.db.commit()
			token = callback_token()
			if backend == "mariadb":
				server = conftest._server_conf()
				probe = mariadb_probe(
					frappe.conf.db_name,
					server["db_user"],
					server["db_password"],
					server["db_host"],
					server["db_port"],
				)
			else:
				probe = sqlite_probe(frappe.db.db_path)
		by_kind = {"hot": drivers[:1], "spread": drivers}
		levels = MODES[mode][0]
		log(f"lite-{backend} in-process: {max(levels)} client processes, load {load()}")
		pool = Pool(["inproc", site.sites_path, site.name], max(levels), site.env())
		try:
			warm(pool, drivers, INPROC_VARIANTS, token)
			measure(pool, probe, f"lite-{backend}", INPROC_VARIANTS, by_kind, mode, token, rows, log)
		finally:
			pool.close()
		from tests.helpers.server import FrappeServe

		workers = 4 if backend == "mariadb" else None
		server = FrappeServe(site.sites_path, site.name, workers=workers, env=site.env())
		with server:
			log(f"lite-{backend} over HTTP: frappe-lite serve, {workers or 1} worker(s), load {load()}")
			pool = Pool(["http", server.url, site.name], max(levels), site.env())
			try:
				warm(pool, drivers, HTTP_VARIANTS, token, rounds=workers or 1)
				measure(pool, probe, f"lite-{backend}-http", HTTP_VARIANTS, by_kind, mode, token, rows, log)
			finally:
				pool.close()
		notes.append(f"lite-{backend}-http: frappe-lite serve with {workers or 1} sync worker(s).")
	finally:
		conftest.drop_test_site(site)


def warm(pool, drivers, variants, token, rounds=1):
	"""Every client and every server worker through every variant once (imports, meta, caches)."""
	for variant in variants:
		pool.run(variant, len(pool.procs), 2 * rounds, drivers, unique_prefix(), token)


# -- the real bench ---------------------------------------------------------------------------------------


def realbench_facts():
	"""(facts, None) for a built and answering real bench, else (None, why not)."""
	bench_dir = os.environ.get("REALBENCH_DIR") or (
		"/srv/tuktuk-realbench" if os.geteuid() == 0 else os.path.expanduser("~/tuktuk-realbench")
	)
	path = Path(bench_dir) / "realbench.json"
	if not path.exists():
		return None, f"no real bench at {bench_dir} (build one with make realbench; see docs/realbench.md)"
	facts = json.loads(path.read_text())
	import requests

	try:
		r = requests.get(
			facts["base_url"] + "/api/method/ping", headers={"Host": facts["host_header"]}, timeout=5
		)
		r.raise_for_status()
	except Exception as e:
		return (
			None,
			f"the real bench at {bench_dir} does not answer ({e}); start it with make realbench-start",
		)
	return facts, None


def realbench_target(facts, mode, log, rows, notes):
	bench = Path(facts["bench_path"])
	setup = subprocess.run(
		["bash", os.path.join(REPO_ROOT, "benchmarks", "realbench_fixture.sh")],
		capture_output=True,
		text=True,
		env={**os.environ, "REALBENCH_DIR": str(bench), "REALBENCH_SITE": facts["site"]},
		timeout=600,
	)
	if setup.returncode:
		raise RuntimeError(f"realbench_fixture.sh failed:\n{setup.stdout[-2000:]}\n{setup.stderr[-2000:]}")
	made = subprocess.run(
		[
			str(bench / "env" / "bin" / "python"),
			"-m",
			"benchmarks.realbench_setup",
			facts["site"],
			str(SPREAD_DRIVERS),
		],
		capture_output=True,
		text=True,
		cwd=str(bench / "sites"),
		env={**os.environ, "PYTHONPATH": REPO_ROOT},
		timeout=600,
	)
	if made.returncode:
		raise RuntimeError(f"realbench_setup failed:\n{made.stderr[-3000:]}")
	data = json.loads(made.stdout.strip().splitlines()[-1])
	drivers, token = data["drivers"], data["token"]
	probe = mariadb_probe(facts["db_name"])
	by_kind = {"hot": drivers[:1], "spread": drivers}
	levels = MODES[mode][0]
	data["gunicorn"] = f"{os.environ.get('REALBENCH_GUNICORN_WORKERS', '2')} sync workers"
	log(f"realbench over HTTP: Frappe {facts['frappe_version']}, gunicorn {data['gunicorn']}, load {load()}")
	pool = Pool(["http", facts["base_url"], facts["host_header"]], max(levels), dict(os.environ))
	try:
		warm(pool, drivers, HTTP_VARIANTS, token, rounds=4)
		measure(pool, probe, "realbench-http", HTTP_VARIANTS, by_kind, mode, token, rows, log)
	finally:
		pool.close()
	notes.append(
		f"realbench-http: Frappe {facts['frappe_version']} at {facts['base_url']}, gunicorn {data['gunicorn']},"
		f" site {facts['site']}."
	)


# -- the report ------------------------------------------------------------------------------------------


def main():
	from benchmarks import report

	mode = os.environ.get("BENCH_MODE", "quick")
	if mode not in MODES:
		raise SystemExit(f"BENCH_MODE must be one of {', '.join(MODES)}")
	wanted = [
		t for t in os.environ.get("BENCH_TARGETS", "lite-sqlite,lite-mariadb,realbench").split(",") if t
	]
	started = time.time()
	rows, notes, skipped = [], [], []
	lines = []

	def log(text):
		print(text, flush=True)
		lines.append(text)

	log(f"side-by-side benchmark, mode {mode}, {datetime.datetime.now():%Y-%m-%d %H:%M}, load {load()}")
	for target in wanted:
		if target == "lite-sqlite":
			lite_target("sqlite", mode, log, rows, notes)
		elif target == "lite-mariadb":
			reason = mariadb_reason()
			if reason:
				skipped.append(f"lite-mariadb: skipped, {reason}")
				log(skipped[-1])
				continue
			lite_target("mariadb", mode, log, rows, notes)
		elif target == "realbench":
			facts, reason = realbench_facts()
			if not facts:
				skipped.append(f"realbench: skipped, {reason}")
				log(skipped[-1])
				continue
			realbench_target(facts, mode, log, rows, notes)
	seconds = time.time() - started
	log(f"done in {seconds:.0f} s, load {load()}")
	(PLOTS / "raw.json").parent.mkdir(parents=True, exist_ok=True)
	meta = {"notes": notes, "skipped": skipped, "seconds": seconds}
	(PLOTS / "raw.json").write_text(json.dumps({"mode": mode, "meta": meta, "rows": rows}, indent=0))
	report.write(rows, notes, skipped, mode, seconds, RESULTS, PLOTS)
	print(f"wrote {RESULTS} and {PLOTS}/*.png")


if __name__ == "__main__":
	main()
