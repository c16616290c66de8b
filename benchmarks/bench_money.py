"""Benchmark 4: what exact money costs on SQLite.

SQLite has no DECIMAL: frappe_lite keeps Currency in REAL columns and snaps them to decimal(21,9)'s nine
places with an AFTER INSERT/UPDATE trigger per table (frappe.database.schema.sync_decimal_triggers), so
repeated ``x = x + %s`` never drifts. Measured: UPDATES statements ``update ... set current_balance =
current_balance + %s where name = %s`` through frappe.db.sql (committing every 100, like small units of
work) on ``tabTukTuk Driver`` (with its triggers) vs a copy of that table made from the same CREATE TABLE
statement, without the triggers (the baseline). Reported: time, updates/s, the overhead ratio, and the drift
each table ends with (stored balance minus the exact Decimal sum of what was added). The two tables run
alternately, 5 times each; the best time of each is kept (a micro-benchmark: noise only ever adds time)."""

from decimal import Decimal

from benchmarks.common import Table, Timer, ratio, throwaway_site
from tests.helpers.daraja import amount_for, contribution

DRIVERS = 10
PLAIN = "bench_driver_plain"


def amounts(n):
	"""What crediting sends: cents-exact Decimals (tuktuk_management.money.sql_money), bound as text."""
	return [contribution(amount_for("MONEY", i)) for i in range(n)]


def run_updates(frappe, table, names, values):
	sql = f"update `{table}` set current_balance = current_balance + %s where name = %s"
	with Timer() as timer:
		for i, value in enumerate(values):
			frappe.db.sql(sql, (value, names[i % len(names)]))
			if i % 100 == 99:
				frappe.db.commit()
		frappe.db.commit()
	return timer.seconds


def drift(frappe, table, names, values):
	"""Largest |stored - exact| over the drivers, exact being the Decimal sum of what was added (as the
	trigger stores it: each value rounded to nine places, then summed)."""
	exact = {name: Decimal(0) for name in names}
	for i, value in enumerate(values):
		exact[names[i % len(names)]] += Decimal(str(value)).quantize(Decimal("1e-9"))
	worst = Decimal(0)
	for name, stored in frappe.db.sql(f"select name, current_balance from `{table}`"):
		if name in exact:
			worst = max(worst, abs(Decimal(repr(stored)) - exact[name]))
	return worst


def run(backends, quick=False):
	updates = 2000 if quick else 10_000
	repeat = 1 if quick else 5
	table = Table(
		f"4. Exact money on SQLite: {updates:,} x `update ... set x = x + %s` (best of {repeat})",
		["backend", "table", "ms", "updates/s", "us/update", "max drift", "time vs baseline"],
	)
	results = []
	if "sqlite" not in backends:
		table.notes = ["SQLite only (MariaDB has a real DECIMAL column); not run"]
		return table, results
	with throwaway_site("sqlite") as site, site.connect() as frappe:
		create = frappe.db.sql(
			"select sql from sqlite_master where type = 'table' and name = 'tabTukTuk Driver'"
		)[0][0]
		frappe.db.sql_ddl(
			create.replace("`tabTukTuk Driver`", f"`{PLAIN}`", 1).replace(
				'"tabTukTuk Driver"', f'"{PLAIN}"', 1
			)
		)
		triggers = frappe.db.sql(
			"select name from sqlite_master where type = 'trigger' and tbl_name = %s", (PLAIN,)
		)
		assert not triggers, triggers
		names = [f"DRV-M{i:03d}" for i in range(DRIVERS)]
		for target in ("tabTukTuk Driver", PLAIN):
			for name in names:
				frappe.db.sql(
					f"insert into `{target}` (name, driver_first_name, current_balance) values (%s, 'Bench', 0)",
					(name,),
				)
		frappe.db.commit()
		values = amounts(updates)
		runs = {PLAIN: [], "tabTukTuk Driver": []}
		run_updates(frappe, PLAIN, names, values[:200])  # warm-up (statement cache)
		run_updates(frappe, "tabTukTuk Driver", names, values[:200])
		for _ in range(repeat):
			for target in (PLAIN, "tabTukTuk Driver"):
				frappe.db.sql(f"update `{target}` set current_balance = 0 where name in %s", (names,))
				frappe.db.commit()
				runs[target].append(run_updates(frappe, target, names, values))
		base = min(runs[PLAIN])
		for target, label in (
			(PLAIN, "without trigger (baseline)"),
			("tabTukTuk Driver", "with snapping trigger"),
		):
			seconds = min(runs[target])
			worst = drift(frappe, target, names, values)
			table.add(
				"sqlite",
				label,
				seconds * 1000,
				updates / seconds,
				seconds / updates * 1e6,
				f"{worst:.2E}" if worst else "0 (exact)",
				"1.00x (baseline)" if target == PLAIN else ratio(seconds, base),
			)
			results.append({"table": label, "seconds": seconds, "drift": str(worst)})
		extra_us = (min(runs["tabTukTuk Driver"]) - base) / updates * 1e6
	notes = [
		"time vs baseline above 1.00x is the trigger's overhead on the whole statement path (frappe.db.sql"
		" included); max drift is the worst balance's error against exact decimal arithmetic.",
		f"the trigger adds {extra_us:.1f} us per money UPDATE (it fires only when the stored value is not"
		" already on nine places); compare with one credit's latency in benchmark 1, in milliseconds.",
	]
	table.notes = notes
	return table, results
