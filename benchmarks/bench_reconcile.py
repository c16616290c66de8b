"""Benchmark 2: reconcile every driver.

The app's set-based ``reconcile_all_drivers_balances`` (one grouped query over drivers and ledger) vs the
baseline's shape: list the drivers, then ``reconcile_driver_balance`` for each one (its own queries per
driver). Both run report-only (auto_fix off) on the same data: N drivers with LEDGER_ROWS ledger rows each in
the open period, 1% of them with a discrepancy (both must find the same ones). Each side runs REPEAT times,
alternating, inside a transaction that is rolled back (the audit rows a discrepancy writes do not pile up);
the median time is reported, with the number of frappe.db.sql calls (every db helper goes through it)."""

import datetime
import random

from benchmarks.common import Table, Timer, count_queries, median, ratio, throwaway_site

LEDGER_ROWS = 5
REPEAT = 5


def seed(frappe, start, stop, period):
	"""Drivers start..stop-1 with ledger rows, inserted in bulk with SQL (the seeding is not measured);
	balances set to their ledger sums, then every 100th driver is 10.00 off."""
	now = datetime.datetime.now()
	rng = random.Random(start)
	drivers, ledger = [], []
	for i in range(start, stop):
		name = f"DRV-B{i:06d}"
		drivers.append(
			(
				name,
				now,
				now,
				"Administrator",
				"Administrator",
				"Bench",
				f"Driver {i}",
				f"Bench Driver {i}",
				f"2547{i:08d}",
				"Active",
				0,
				0,
				"Follow Global",
				0,
				3000,
				0,
				period,
			)
		)
		for j in range(LEDGER_ROWS):
			amount = rng.randint(2000, 40000) / 100
			share = round(amount / 2, 2)
			ledger.append(
				(
					f"bench{i:06d}x{j}",
					now,
					now,
					"Administrator",
					"Administrator",
					f"BT{i:06d}X{j}",
					"Payment",
					name,
					amount,
					share,
					round(amount - share, 2),
					"Completed",
					now,
					period,
				)
			)
	driver_sql = """insert into `tabTukTuk Driver` (name, creation, modified, owner, modified_by,
		driver_first_name, driver_last_name, driver_name, mpesa_number, status, daily_target, fare_percentage,
		target_sharing_override, current_balance, left_to_target, consecutive_misses, balance_period) values """
	ledger_sql = """insert into `tabTukTuk Transaction` (name, creation, modified, owner, modified_by,
		transaction_id, transaction_type, driver, amount, driver_share, target_contribution, payment_status,
		`timestamp`, balance_period) values """
	for sql, rows in ((driver_sql, drivers), (ledger_sql, ledger)):
		width = len(rows[0])
		for k in range(0, len(rows), 200):
			chunk = rows[k : k + 200]
			placeholders = ", ".join("(" + ", ".join(["%s"] * width) + ")" for _ in chunk)
			frappe.db.sql(sql + placeholders, [v for row in chunk for v in row])
	frappe.db.sql(
		"""update `tabTukTuk Driver` set current_balance = (
			select coalesce(sum(t.target_contribution), 0) from `tabTukTuk Transaction` t
			where t.driver = `tabTukTuk Driver`.name and t.payment_status = 'Completed'
				and t.balance_period = `tabTukTuk Driver`.balance_period)
		where name >= %s and name <= %s""",
		(f"DRV-B{start:06d}", f"DRV-B{stop - 1:06d}"),
	)
	frappe.db.sql(
		"update `tabTukTuk Driver` set current_balance = current_balance + 10 where name in %s",
		([f"DRV-B{i:06d}" for i in range(start, stop) if i % 100 == 7],),
	)
	frappe.db.commit()


def set_based(frappe):
	from tuktuk_management.reconciliation import reconcile_all_drivers_balances

	summary = reconcile_all_drivers_balances()
	return summary.drivers_checked, summary.drivers_with_discrepancies


def per_driver(frappe):
	"""The baseline's shape: every active driver, one reconcile_driver_balance call each."""
	from tuktuk_management.reconciliation import reconcile_driver_balance

	names = frappe.get_all("TukTuk Driver", filters={"status": "Active"}, pluck="name", order_by="name asc")
	discrepancies = 0
	for name in names:
		if reconcile_driver_balance(name).has_discrepancy:
			discrepancies += 1
	return len(names), discrepancies


def measure(frappe, fn):
	with count_queries(frappe) as queries, Timer() as timer:
		checked, found = fn(frappe)
	frappe.db.rollback()
	return timer.seconds, queries["n"], checked, found


def compare(frappe):
	runs = {"baseline": [], "app": []}
	for _ in range(REPEAT):
		runs["baseline"].append(measure(frappe, per_driver))
		runs["app"].append(measure(frappe, set_based))
	out = {}
	for way, fn_runs in runs.items():
		checked = {r[2] for r in fn_runs}
		found = {r[3] for r in fn_runs}
		out[way] = {
			"seconds": median([r[0] for r in fn_runs]),
			"queries": median([r[1] for r in fn_runs]),
			"checked": checked.pop() if len(checked) == 1 else checked,
			"found": found.pop() if len(found) == 1 else found,
		}
	return out


def add_rows(table, results, backend, size, suffix, out):
	base = out["baseline"]
	for way, label in (("baseline", "per-driver loop"), ("app", "set-based")):
		m = out[way]
		table.add(
			backend,
			size,
			label + suffix,
			m["seconds"] * 1000,
			int(m["queries"]),
			f"{m['found']}/{m['checked']}",
			"1.00x (baseline)" if way == "baseline" else ratio(m["seconds"], base["seconds"]),
			"1.00x (baseline)" if way == "baseline" else ratio(m["queries"], base["queries"]),
		)
		results.append({"backend": backend, "drivers": size, "way": way + suffix, **m})


def run(backends, quick=False):
	sizes = (200,) if quick else (200, 1000)
	table = Table(
		f"2. Reconcile all drivers ({LEDGER_ROWS} ledger rows each, 1% off; median of {REPEAT})",
		[
			"backend",
			"drivers",
			"way",
			"ms",
			"queries",
			"found",
			"time vs baseline",
			"queries vs baseline",
		],
	)
	results = []
	for backend in backends:
		with throwaway_site(backend) as site, site.connect() as frappe:
			from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
				get_settings,
			)

			period = get_settings().business_date()
			have = 0
			for size in sizes:
				seed(frappe, have, size, period)
				have = size
				measure(frappe, set_based)  # warm-up: meta, settings, statement caches
				add_rows(table, results, backend, size, "", compare(frappe))
			if backend == "sqlite":
				# frappe_lite's SQLite sites carry no planner statistics: see the README (index choice).
				frappe.db.sql("analyze")
				frappe.db.commit()
				add_rows(table, results, backend, have, ", after ANALYZE", compare(frappe))
	table.notes = [
		"ratios are app / baseline: below 1.00x the set-based way takes that fraction of the loop's time or queries.",
		"found: drivers reported with a discrepancy / drivers checked (both ways must agree; each discrepancy"
		" also writes its Error Log and reconciliation record, the same work on both sides).",
		"SQLite: without planner statistics SQLite picks the balance_period index for the per-driver ledger sum"
		" (every open row shares the period), so each per-driver check scans the whole period; the"
		" 'after ANALYZE' rows show the same runs once statistics exist (frappe_lite does not run ANALYZE).",
	]
	return table, results
