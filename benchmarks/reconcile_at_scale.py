"""Reconciliation at scale (``make bench-reconcile``): every driver's balance against a ledger of a million rows.

MariaDB: 10,000 drivers and 100,000 then 1,000,000 ledger rows (``BENCH_LEDGER_ROWS``, comma-separated);
SQLite: 2,000 drivers and 20,000 then 100,000 rows. All rows in the drivers' open period, seeded in bulk with
SQL (not measured; MariaDB's sequence engine, SQLite's recursive CTE), the balances set to their ledger sums,
then 1% of them 10.00 off, ANALYZE run. At each size, alternately, three times each (median kept):

- raw GROUP BY: the one grouped query the check needs, over the raw driver (PyMySQL / sqlite3):
  ``SELECT driver, SUM(target_contribution), COUNT(*) FROM ledger WHERE payment_status = 'Completed'
  GROUP BY driver``, every row fetched;
- screen: ``reconciliation.balances_against_ledger()``, the app's grouped read, through frappe.db;
- reconcile-all: ``reconcile_all_drivers_balances()`` report-only, audit rows included (an Error Log and a
  reconciliation record per discrepancy), rolled back after each run;
then once: the fix (``auto_fix=1, commit=1``) of the 1% and a check that nothing is left to fix.

Queries are counted by wrapping frappe.db.sql. Memory: each way runs once more in a fresh process, which
reports its resident set before and at the peak of the call (``ru_maxrss``): the growth must not follow the
number of ledger rows."""

import json
import os
import resource
import statistics
import subprocess
import sys
import time

from benchmarks.common import REPO_ROOT, count_queries, mariadb_reason, throwaway_site

RESULTS = os.path.join(REPO_ROOT, "benchmarks", "RECONCILE.md")
SIZES = {
	"mariadb": (10_000, [int(x) for x in os.environ.get("BENCH_LEDGER_ROWS", "100000,1000000").split(",")]),
	"sqlite": (2_000, [20_000, 100_000]),
}
RAW_GROUP_BY = """SELECT driver, SUM(target_contribution), COUNT(*) FROM `tabTukTuk Transaction`
	WHERE payment_status = 'Completed' GROUP BY driver"""


def seed(frappe, drivers, rows, period, have_drivers, have_rows):
	"""Drivers DRV-S00000.. and ledger rows up to ``rows``, by INSERT ... SELECT over a number sequence. No
	query parameters: the statements use SQL's % (modulo), which parameter formatting would take for its own."""
	period = f"{period:%Y-%m-%d}"
	mariadb = frappe.db.db_type == "mariadb"

	def numbers(start, stop):
		if mariadb:
			return f"(SELECT seq AS n FROM mysql.seq_{start}_to_{stop - 1}) q"
		return f"""(WITH RECURSIVE c(n) AS (SELECT {start} UNION ALL SELECT n + 1 FROM c WHERE n + 1 < {stop})
			SELECT n FROM c) q"""

	pad = "LPAD(q.n, 5, '0')" if mariadb else "substr('00000' || q.n, -5)"
	cat = (lambda *a: f"CONCAT({', '.join(a)})") if mariadb else (lambda *a: " || ".join(a))
	if drivers > have_drivers:
		frappe.db.sql(
			f"""INSERT INTO `tabTukTuk Driver` (name, creation, modified, owner, modified_by, docstatus, idx,
				driver_first_name, driver_last_name, driver_name, mpesa_number, status, daily_target,
				fare_percentage, target_sharing_override, current_balance, left_to_target, consecutive_misses,
				balance_period, share_carry)
			SELECT {cat("'DRV-S'", pad)}, NOW(), NOW(), 'Administrator', 'Administrator', 0, 0,
				'Scale', {cat("'Driver '", pad)}, {cat("'Scale Driver '", pad)}, {cat("'2547000'", pad)},
				'Active', 0, 0, 'Follow Global', 0, 0, 0, '{period}', 0
			FROM {numbers(have_drivers, drivers)}"""
		)
	if rows > have_rows:
		# contribution: 1.00 to 50.99 by row number; driver: row number modulo the drivers
		frappe.db.sql(
			f"""INSERT INTO `tabTukTuk Transaction` (name, creation, modified, owner, modified_by, docstatus,
				idx, transaction_id, transaction_type, driver, amount, driver_share, target_contribution,
				payment_status, `timestamp`, balance_period, b2c_payment_sent, is_substitute_transaction)
			SELECT {cat("'scale'", "q.n")}, NOW(), NOW(), 'Administrator', 'Administrator', 0, 0,
				{cat("'SC'", "q.n")}, 'Payment',
				{cat("'DRV-S'", pad.replace("q.n", f"(q.n % {drivers})"))},
				2 * (1 + (q.n % 50) + (q.n % 100) / 100.0), 1 + (q.n % 50) + (q.n % 100) / 100.0,
				1 + (q.n % 50) + (q.n % 100) / 100.0, 'Completed', NOW(), '{period}', 0, 0
			FROM {numbers(have_rows, rows)}"""
		)
	frappe.db.sql(
		"""UPDATE `tabTukTuk Driver` d JOIN (SELECT driver, SUM(target_contribution) s FROM `tabTukTuk Transaction`
			GROUP BY driver) t ON t.driver = d.name SET d.current_balance = t.s + IF(RIGHT(d.name, 2) = '07', 10, 0)"""
		if mariadb
		else """UPDATE `tabTukTuk Driver` SET current_balance = (SELECT COALESCE(SUM(target_contribution), 0)
			FROM `tabTukTuk Transaction` t WHERE t.driver = `tabTukTuk Driver`.name)
			+ CASE WHEN substr(name, -2) = '07' THEN 10 ELSE 0 END WHERE name LIKE 'DRV-S%'"""
	)
	frappe.db.commit()
	frappe.db.sql("ANALYZE TABLE `tabTukTuk Transaction`, `tabTukTuk Driver`" if mariadb else "ANALYZE")
	frappe.db.commit()


def run_way(frappe, way, raw):
	"""(seconds, queries, drivers checked, discrepancies) of one way, rolled back afterwards."""
	from tuktuk_management.reconciliation import balances_against_ledger, reconcile_all_drivers_balances

	with count_queries(frappe) as queries:
		started = time.perf_counter()
		if way == "raw":
			cur = raw.cursor()
			cur.execute(RAW_GROUP_BY)
			result = cur.fetchall()
			checked, found = len(result), None
		elif way == "screen":
			result = balances_against_ledger()
			checked, found = len(result), sum(1 for r in result if r.balance != r.calculated)
		else:
			summary = reconcile_all_drivers_balances()
			checked, found = summary.drivers_checked, summary.drivers_with_discrepancies
		seconds = time.perf_counter() - started
	if way == "raw":
		raw.rollback()
	frappe.db.rollback()
	return seconds, queries["n"] if way != "raw" else 1, checked, found


def rss_kb() -> int:
	with open("/proc/self/statm") as f:
		return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") // 1024


def memory_child(sites_path, site, way):
	"""In a fresh process: connect, warm up, then one run of ``way``; prints RSS before and peak."""
	import frappe

	frappe.init(site, sites_path, force=True)
	frappe.connect()
	raw = frappe.db.get_connection()
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	get_settings()
	before = rss_kb()
	seconds, *_ = run_way(frappe, way, raw)
	peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
	print(json.dumps({"before_kb": before, "peak_kb": peak, "seconds": seconds}))


def memory(site, way):
	out = subprocess.run(
		[sys.executable, "-m", "benchmarks.reconcile_at_scale", "--memory", site.sites_path, site.name, way],
		capture_output=True,
		text=True,
		cwd=REPO_ROOT,
		env={**site.env(), "PYTHONPATH": REPO_ROOT},
		timeout=1800,
		check=False,
	)
	if out.returncode:
		raise RuntimeError(out.stderr[-3000:])
	return json.loads(out.stdout.strip().splitlines()[-1])


def main():
	lines = []

	def log(text=""):
		print(text, flush=True)
		lines.append(text)

	backends = [b for b in os.environ.get("BENCH_BACKENDS", "mariadb,sqlite").split(",") if b]
	log("# Reconciliation at scale")
	log()
	log(
		f"Written by `make bench-reconcile` on {time.strftime('%Y-%m-%d %H:%M')} ({os.cpu_count()} CPUs, load"
		f" average {os.getloadavg()[0]:.1f} at the start). Methods: benchmarks/reconcile_at_scale.py."
	)
	log()
	log(
		"| backend | drivers | ledger rows | way | seconds (median of 3) | vs raw GROUP BY | queries |"
		" drivers checked | discrepancies | RSS growth during the call | load |"
	)
	log("|---|---|---|---|---|---|---|---|---|---|---|")
	fixes = []
	for backend in backends:
		if backend == "mariadb" and mariadb_reason():
			log(f"| {backend} | skipped: {mariadb_reason()} |")
			continue
		drivers, sizes = SIZES[backend]
		with throwaway_site(backend) as site, site.connect() as frappe:
			from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
				get_settings,
			)

			period = get_settings().business_date()
			raw = frappe.db.get_connection()
			have_drivers = have_rows = 0
			for rows in sizes:
				t0 = time.perf_counter()
				seed(frappe, drivers, rows, period, have_drivers, have_rows)
				print(
					f"  seeded {backend} {drivers} drivers x {rows} rows in {time.perf_counter() - t0:.0f} s",
					flush=True,
				)
				have_drivers, have_rows = drivers, rows
				for way in ("raw", "screen", "reconcile"):  # warm: caches, buffer pool
					run_way(frappe, way, raw)
				runs = {"raw": [], "screen": [], "reconcile": []}
				for i in range(3):
					for way in (
						("raw", "screen", "reconcile") if i % 2 == 0 else ("reconcile", "screen", "raw")
					):
						runs[way].append(run_way(frappe, way, raw))
				base = statistics.median(r[0] for r in runs["raw"])
				for way, label in (
					("raw", "raw GROUP BY (PyMySQL / sqlite3)"),
					("screen", "balances_against_ledger()"),
					("reconcile", "reconcile_all_drivers_balances() report-only"),
				):
					seconds = statistics.median(r[0] for r in runs[way])
					_, queries, checked, found = runs[way][-1]
					mem = memory(site, way)
					log(
						f"| {backend} | {drivers:,} | {rows:,} | {label} | {seconds:.2f} | {seconds / base:.2f}x |"
						f" {queries} | {checked:,} | {found if found is not None else '-'} |"
						f" {(mem['peak_kb'] - mem['before_kb']) / 1024:.1f} MB (peak {mem['peak_kb'] / 1024:.0f} MB)"
						f" | {os.getloadavg()[0]:.1f} |"
					)
			from tuktuk_management.reconciliation import reconcile_all_drivers_balances

			with count_queries(frappe) as queries:
				t0 = time.perf_counter()
				fixed = reconcile_all_drivers_balances(auto_fix=1, commit=True, source="Manual")
				seconds = time.perf_counter() - t0
			after = reconcile_all_drivers_balances()
			frappe.db.rollback()
			fixes.append(
				f"- {backend}, {drivers:,} drivers x {have_rows:,} rows: the fix of {fixed.drivers_fixed} corrupted"
				f" balances ({fixed.drivers_with_discrepancies} found) took {seconds:.2f} s and {queries['n']}"
				f" queries; checked again: {after.drivers_with_discrepancies} discrepancies left."
			)
	log()
	for line in fixes:
		log(line)
	with open(RESULTS, "w") as f:
		f.write("\n".join(lines) + "\n")
	print(f"wrote {RESULTS}")


if __name__ == "__main__":
	if sys.argv[1:2] == ["--memory"]:
		memory_child(*sys.argv[2:5])
	else:
		main()
