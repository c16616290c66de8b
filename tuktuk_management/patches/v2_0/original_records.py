"""[post_model_sync] The original's drivers, vehicles and ledger rows made valid records of ours (each can
be opened and saved again), without changing a balance.

Drivers
- ``status`` (ours only): the original had none; an assigned driver worked, an unassigned one was paused
  (skipped by its daily reset), an exited one was gone. Assigned and not exited -> Active, else Inactive
  (the column default would have made every driver Active, and our daily close counts misses for every
  Active driver).
- ``driver_first_name`` is mandatory in ours: when empty, taken from ``driver_name``.
- carried-over ("rollover") targets: the original raised a missed day's target by the shortfall, compounding,
  until the driver met it once. We do not carry targets (a product decision), so each such driver gets back
  the target it had before its first carry (read from the original's "Daily Reset - Rollover Target Set"
  logs; the global target when they are gone or it was the global one). The carried target, its date and
  the base restored are written in a Comment on the driver and in the upgrade report;
  ``is_rollover_target`` stays set as history. ``left_to_target`` follows in balance_periods.
- ``from_original_app``: shows the original's details (licence, deposits, exit...) on the driver's form.

Vehicles
- statuses ours does not have: ``Subbed`` -> Assigned when a driver has the vehicle, else Available (the
  substitute stays in ``current_substitute_driver``); ``Offline`` -> Inactive; any other unknown -> Available.
- a vehicle without an M-Pesa account cannot take payments: Inactive (an account is mandatory otherwise).

Ledger rows
- a row whose driver the original archived (it deleted the TukTuk Driver and kept a Terminated TukTuk Driver
  under the same ID) names a driver that no longer exists: the ID moves to ``former_driver`` so the row is a
  valid document again (it counts toward no driver's balance either way)."""

import re

import frappe

from tuktuk_management.patches.v2_0.original_app import SETTINGS, is_original_site, report

DRIVER = "TukTuk Driver"
VEHICLE = "TukTuk Vehicle"
LEDGER = "TukTuk Transaction"
VEHICLE_STATUSES = ("Available", "Assigned", "Charging", "Maintenance", "Inactive")


def execute():
	if not is_original_site():
		return
	report("drivers", drivers())
	report("vehicles", vehicles())
	report("ledger_rows", ledger_rows())


def drivers() -> dict:
	frappe.db.sql(f"update `tab{DRIVER}` set from_original_app=1")
	inactive = frappe.db.sql(
		f"""select name from `tab{DRIVER}`
		where exit_date is not null or coalesce(assigned_tuktuk, '') = '' order by name""",
		pluck=True,
	)
	frappe.db.sql(
		f"""update `tab{DRIVER}` set status = case
			when exit_date is not null or coalesce(assigned_tuktuk, '') = '' then 'Inactive' else 'Active' end"""
	)
	named = []
	for name, full_name, last in frappe.db.sql(
		f"""select name, driver_name, driver_last_name from `tab{DRIVER}`
		where coalesce(trim(driver_first_name), '') = ''"""
	):
		parts = (full_name or name).split()
		first = parts[0] if parts else name
		values = {"driver_first_name": first}
		if not last and len(parts) > 1:
			values["driver_last_name"] = " ".join(parts[1:])
		frappe.db.set_value(DRIVER, name, values, update_modified=False)
		named.append(name)
	return {"inactive": inactive, "first_name_from_driver_name": named, "targets_restored": restore_targets()}


def restore_targets() -> list:
	global_target = frappe.utils.flt(frappe.db.get_single_value(SETTINGS, "global_daily_target"))
	restored = []
	for row in frappe.db.sql(
		f"""select name, driver_name, daily_target, rollover_target_set_date, consecutive_misses
		from `tab{DRIVER}` where is_rollover_target = 1 order by name""",
		as_dict=True,
	):
		base = base_target(row.driver_name, global_target)
		frappe.db.set_value(DRIVER, row.name, "daily_target", base, update_modified=False)
		note = (
			f"Upgrade from the original app: its carried-over daily target of {row.daily_target:,.2f} "
			f"(shortfalls carried since {row.rollover_target_set_date}) is not carried any more; the daily "
			f"target is back to {'the global target' if not base else f'{base:,.2f}'}, as before the first carry."
		)
		frappe.get_doc(DRIVER, row.name).add_comment("Comment", note)
		restored.append(
			{"driver": row.name, "carried_target": row.daily_target, "restored_target": base or "global"}
		)
	return restored


def base_target(driver_name: str, global_target: float) -> float:
	"""The target the driver had before its current run of carried-over targets: the "Previous target" of
	the first "Rollover Target Set" log after its last "Rollover Target Cleared" log (the original names the
	driver by name in both). 0 (the global target) when the logs are gone or it was the global one."""
	cleared = frappe.db.sql(
		"""select max(creation) from `tabError Log` where method='Daily Reset - Rollover Target Cleared'
		and error like %s""",
		(f"Driver {driver_name} cleared%",),
	)[0][0]
	first = frappe.db.sql(
		"""select error from `tabError Log` where method='Daily Reset - Rollover Target Set'
		and error like %s and (%s is null or creation > %s) order by creation limit 1""",
		(f"Setting rollover target for {driver_name}:%", cleared, cleared),
	)
	if not first:
		return 0
	match = re.search(r"Previous target:\s*([0-9.,]+)", first[0][0] or "")
	if not match:
		return 0
	previous = frappe.utils.flt(match.group(1).replace(",", ""))
	return 0 if not previous or previous == global_target else previous


def vehicles() -> dict:
	frappe.db.sql(f"update `tab{VEHICLE}` set from_original_app=1")
	changes = []
	for name, status, account in frappe.db.sql(
		f"select name, status, mpesa_account from `tab{VEHICLE}` order by name"
	):
		new = status
		if not account:
			new = "Inactive"
		elif status == "Subbed":
			new = "Assigned" if frappe.db.exists(DRIVER, {"assigned_tuktuk": name}) else "Available"
		elif status == "Offline":
			new = "Inactive"
		elif status not in VEHICLE_STATUSES:
			new = "Available"
		if new != status:
			frappe.db.set_value(VEHICLE, name, "status", new, update_modified=False)
			changes.append({"vehicle": name, "from": status, "to": new, "mpesa_account": account})
	return {"status_changed": changes}


def ledger_rows() -> dict:
	dangling = frappe.db.sql(
		f"""select t.driver, count(*) from `tab{LEDGER}` t
		left join `tab{DRIVER}` d on d.name = t.driver
		where coalesce(t.driver, '') != '' and d.name is null group by t.driver""",
	)
	for driver, _count in dangling:
		frappe.db.sql(
			f"update `tab{LEDGER}` set former_driver=driver, driver=NULL where driver=%s", (driver,)
		)
	substitute_rows = frappe.db.count(LEDGER, {"substitute_driver": ("is", "set")})
	return {
		"former_driver": {driver: count for driver, count in dangling},
		"substitute_rows": substitute_rows,
	}
