"""What an upgraded site must show, checked from inside the site: run with the python of the runtime the site
lives in (a real bench's env, or this checkout's .venv for frappe_lite), from anywhere:

    python site_checks.py PHASE SITE SITES_PATH FACTS_JSON

PHASE is one of
  state     after the migrate: roles, the original's DocTypes and rows, balance periods, balances against the
            ledger, drivers, vehicles, settings, inbox, scheduler (nothing is written)
  resave    every record the original app wrote opens and saves again (each in a savepoint, rolled back)
  money     one new payment (through the confirmation callback, token-authenticated) and one daily close:
            zero discrepancies after each, the closing balance the original left plus the new credit
  snapshot  counts, sums and hashes a second migrate must not change
It prints one line ``CHECKS: {json}``: {"checks": [{"name", "ok", "detail"}], "snapshot": {...}}. The pytest
tests in this folder run it on the real bench and on frappe_lite and assert every check is ok; FACTS_JSON is
what make_legacy_data.py recorded on the original site before the dump."""

import hashlib
import json
import sys

import frappe

OUR_ROLE, ORIGINAL_ROLE = "TukTuk Manager", "Tuktuk Manager"
LEGACY_DOCTYPES = (
	"Driver Deposit Transaction",
	"Failed Transaction Log",
	"Terminated TukTuk Driver",
	"TukTuk Daily Report",
	"TukTuk Day Off Schedule",
	"TukTuk Petty Cash",
	"TukTuk Rental",
	"TukTuk Roster Period",
	"TukTuk Substitute Assignment",
	"TukTuk Substitute Driver",
	"TukTuk Weekly Report",
)
OUR_TABLES = ("TukTuk Driver", "TukTuk Vehicle", "TukTuk Transaction", "TukTuk Callback", "TukTuk Payout")
ORIGINAL_JOBS = (
	"reset_daily_targets_with_deposit",
	"end_operating_hours",
	"start_operating_hours",
	"send_driver_target_reminder",
	"scheduled_reconciliation",
	"check_battery_levels",
)
UPGRADE_LOG_TITLES = {"Upgrade: Register the C2B URLs Again", "Upgrade: Payouts Held"}


class Checks:
	def __init__(self):
		self.results = []

	def check(self, name, ok, detail=None):
		self.results.append({"name": name, "ok": bool(ok), "detail": detail})

	def run(self, name, fn):
		try:
			fn()
		except Exception as exc:
			self.check(name, False, f"{type(exc).__name__}: {exc}\n{frappe.get_traceback()[-2000:]}")


def q(sql, values=None, **kw):
	return frappe.db.sql(sql, values or (), **kw)


def money(value):
	return round(float(value or 0), 2)


def index_is_unique(doctype, column):
	rows = q(f"show index from `tab{doctype}` where Column_name=%s", (column,), as_dict=True)
	return any(int(r.Non_unique) == 0 for r in rows)


# -- state -----------------------------------------------------------------------------------------------


def state(c: Checks, facts):
	c.run("roles", lambda: roles(c, facts))
	c.run("original doctypes", lambda: original_doctypes(c, facts))
	c.run("ledger", lambda: ledger(c, facts))
	c.run("drivers", lambda: drivers(c, facts))
	c.run("vehicles", lambda: vehicles(c, facts))
	c.run("settings", lambda: settings(c, facts))
	c.run("inbox", lambda: inbox(c, facts))
	c.run("desk and scheduler", lambda: desk_and_scheduler(c, facts))


def roles(c, facts):
	c.check(
		"role TukTuk Manager spelled as ours", q("select 1 from `tabRole` where binary name=%s", (OUR_ROLE,))
	)
	for table, column in (
		("Role", "name"),
		("Has Role", "role"),
		("DocPerm", "role"),
		("Custom DocPerm", "role"),
	):
		left = q(f"select count(*) from `tab{table}` where binary `{column}`=%s", (ORIGINAL_ROLE,))[0][0]
		c.check(f"no {table}.{column} names {ORIGINAL_ROLE!r}", left == 0, left)
	for user in facts["managers"]:
		frappe.clear_cache(user=user)
		c.check(f"{user} keeps the manager role", OUR_ROLE in frappe.get_roles(user), frappe.get_roles(user))
	for user in facts["executives"]:
		c.check(f"{user}: Tuktuk Executive left as is", "Tuktuk Executive" in frappe.get_roles(user))


def original_doctypes(c, facts):
	for doctype in LEGACY_DOCTYPES:
		module = frappe.db.get_value("DocType", doctype, "module")
		c.check(f"{doctype} is a DocType of TukTuk Legacy", module == "TukTuk Legacy", module)
		count = q(f"select count(*) from `tab{doctype}`")[0][0]
		c.check(
			f"{doctype}: every row kept", count == facts["counts"][doctype], (count, facts["counts"][doctype])
		)
		names = q(f"select name from `tab{doctype}` limit 1", as_dict=True) if count else []
		if names and not frappe.get_meta(doctype).istable:
			frappe.get_doc(doctype, names[0].name)
	if frappe.db.table_exists("Deleted Document"):
		deleted = q("select count(*) from `tabDeleted Document` where deleted_doctype='DocType'")[0][0]
		c.check("no DocType deleted as an orphan", deleted == 0, deleted)
	for doctype in ("TukTuk Driver", "TukTuk Vehicle"):
		count = q(f"select count(*) from `tab{doctype}`")[0][0]
		c.check(f"{doctype}: every row kept", count == facts["counts"][doctype], count)


def ledger(c, facts):
	for doctype in ("TukTuk Transaction", "TukTuk Driver"):
		left = q(f"select count(*) from `tab{doctype}` where balance_period is null")[0][0]
		c.check(f"{doctype}: every row has a balance period", left == 0, left)
	legacy = q(
		"""select count(*) n, sum(amount) amount, sum(driver_share) share, sum(target_contribution) contribution
		from `tabTukTuk Transaction` where transaction_id not like 'UPG-%%'""",
		as_dict=True,
	)[0]
	before = facts["ledger_sums"]
	c.check("the original's ledger rows unchanged (count)", legacy.n == before["n"], (legacy.n, before["n"]))
	for key, fact in (
		("amount", "amount"),
		("share", "driver_share"),
		("contribution", "target_contribution"),
	):
		c.check(
			f"the original's ledger rows unchanged (sum {fact})", money(legacy[key]) == money(before[fact])
		)
	period = frappe.db.get_single_value("TukTuk Legacy Settings", "upgrade_period")
	c.check(
		"open period is the original's last reset date",
		str(period) == facts["last_daily_reset_date"],
		str(period),
	)
	opening = {
		r.driver: money(r.target_contribution)
		for r in q(
			"select driver, target_contribution from `tabTukTuk Transaction` where transaction_id like 'UPG-%%'",
			as_dict=True,
		)
	}
	pending = {
		r["driver"]: money(r["target_contribution"])
		for r in facts["pending_rows"]
		if r["transaction_id"].startswith("TUC000003")
	}
	for driver, amount in pending.items():
		c.check(
			f"{driver}: its Pending credit carried by an opening row", opening.get(driver) == amount, opening
		)
	from tuktuk_management.reconciliation import reconcile_all_drivers_balances

	result = reconcile_all_drivers_balances(auto_fix=False)
	c.check(
		"reconciliation: no discrepancy after the migrate",
		result.drivers_with_discrepancies == 0,
		[(r.driver, str(r.discrepancy)) for r in result.discrepancies],
	)
	subs = q(
		"select count(*) from `tabTukTuk Transaction` where substitute_driver is not null and substitute_driver != ''"
	)[0][0]
	c.check(
		"substitute drivers' rows kept, linked to their substitute", subs == facts["substitute_rows"], subs
	)
	former = q("select count(*) from `tabTukTuk Transaction` where coalesce(former_driver, '') != ''")[0][0]
	c.check("rows of the archived driver name it as former driver", former > 0, former)
	dangling = q(
		"""select count(*) from `tabTukTuk Transaction` t left join `tabTukTuk Driver` d on d.name=t.driver
		where coalesce(t.driver, '') != '' and d.name is null"""
	)[0][0]
	c.check("no ledger row names a driver that does not exist", dangling == 0, dangling)


def drivers(c, facts):
	by_name = {d["name"]: d for d in facts["drivers"]}
	glob = money(frappe.db.get_single_value("TukTuk Settings", "global_daily_target"))
	rows = q(
		"""select name, driver_name, current_balance, left_to_target, daily_target, status, assigned_tuktuk,
		exit_date, is_rollover_target, from_original_app, sunny_id from `tabTukTuk Driver`""",
		as_dict=True,
	)
	for row in rows:
		before = by_name[row.name]
		c.check(
			f"{row.name}: balance unchanged", money(row.current_balance) == money(before["current_balance"])
		)
		target = money(row.daily_target) or glob
		c.check(
			f"{row.name}: left_to_target = target - balance",
			money(row.left_to_target) == max(0, round(target - money(row.current_balance), 2)),
			(row.left_to_target, target, row.current_balance),
		)
		expected = "Active" if before["assigned_tuktuk"] and not before["exit_date"] else "Inactive"
		c.check(f"{row.name}: status {expected}", row.status == expected, row.status)
		c.check(f"{row.name}: driver name kept", row.driver_name == before["driver_name"], row.driver_name)
		c.check(f"{row.name}: sunny_id kept", row.sunny_id == before["sunny_id"], row.sunny_id)
		if before["is_rollover_target"]:
			comment = q(
				"select count(*) from `tabComment` where reference_doctype='TukTuk Driver' and reference_name=%s and content like %s",
				(row.name, "%carried-over daily target%"),
			)[0][0]
			c.check(
				f"{row.name}: carried-over target restored, with a comment",
				comment >= 1,
				(row.daily_target, comment),
			)
	expected_targets = facts.get("restored_targets", {"DRV-112002": 2500, "DRV-112003": 0})
	for driver, target in expected_targets.items():
		value = money(frappe.db.get_value("TukTuk Driver", driver, "daily_target"))
		c.check(f"{driver}: daily target back to {target or 'the global one'}", value == money(target), value)
	c.check(
		"driver_national_id keeps its unique index", index_is_unique("TukTuk Driver", "driver_national_id")
	)
	c.check(
		"sunny_id custom field kept",
		frappe.db.exists("Custom Field", {"dt": "TukTuk Driver", "fieldname": "sunny_id"}),
	)


def vehicles(c, facts):
	statuses = set(q("select distinct status from `tabTukTuk Vehicle`", pluck=True))
	allowed = {"Available", "Assigned", "Charging", "Maintenance", "Inactive"}
	c.check("vehicle statuses are ours", statuses <= allowed, sorted(statuses))
	c.check("mpesa_account keeps a unique index", index_is_unique("TukTuk Vehicle", "mpesa_account"))
	empty = q("select count(*) from `tabTukTuk Vehicle` where mpesa_account=''")[0][0]
	c.check("no empty M-Pesa account", empty == 0, empty)
	without = q("select name, status from `tabTukTuk Vehicle` where mpesa_account is null", as_dict=True)
	c.check("a vehicle without an account is Inactive", all(v.status == "Inactive" for v in without), without)
	for vehicle in facts["vehicles"]:
		if vehicle["status"] == "Subbed":
			c.check(
				f"{vehicle['name']}: Subbed mapped",
				frappe.db.get_value("TukTuk Vehicle", vehicle["name"], "status") in ("Assigned", "Available"),
			)


def settings(c, facts):
	from frappe.utils.password import get_decrypted_password

	def secret(doctype, field):
		return get_decrypted_password(doctype, doctype, field, raise_exception=False)

	old = facts["settings_passwords"]
	single = "TukTuk Settings"
	value = lambda f: frappe.db.get_single_value(single, f)  # noqa: E731
	c.check(
		"consumer key carried over",
		value("mpesa_consumer_key") == old["mpesa_api_key"],
		value("mpesa_consumer_key"),
	)
	c.check(
		"consumer secret carried over", secret(single, "mpesa_consumer_secret") == old["mpesa_api_secret"]
	)
	c.check(
		"initiator name carried over, in clear",
		value("mpesa_initiator_name") == old["mpesa_initiator_name"],
		value("mpesa_initiator_name"),
	)
	left = q(
		"select count(*) from `__Auth` where doctype=%s and fieldname='mpesa_initiator_name'", (single,)
	)[0][0]
	c.check("no encrypted initiator name left", left == 0, left)
	for field in ("mpesa_security_credential", "mpesa_initiator_password"):
		c.check(f"{field} kept", secret(single, field) == old[field])
	for field, expected in (
		("mpesa_environment", "production"),
		("c2b_register_version", "v2"),
		("mpesa_paybill", facts["settings"]["mpesa_paybill"]),
	):
		c.check(f"{field} = {expected}", value(field) == expected, value(field))
	for field in ("b2c_enabled", "instant_payouts_enabled", "legacy_callback_urls"):
		c.check(f"{field} on", str(value(field)) == "1", value(field))
	c.check("site_url set", bool(value("site_url")), value("site_url"))
	c.check("callback secret set", bool(secret(single, "callback_secret")))
	c.check("M-Pesa callback addresses set", "196.201.214.0/24" in (value("legacy_callback_networks") or ""))
	c.check(
		"global target kept",
		money(value("global_daily_target")) == money(facts["settings"]["global_daily_target"]),
	)
	legacy = "TukTuk Legacy Settings"
	for field in ("sms_provider", "textsms_partner_id", "textsms_sender_id", "telematics_api_url"):
		kept = frappe.db.get_single_value(legacy, field)
		c.check(
			f"legacy setting {field} kept", kept == facts["settings"][field], (kept, facts["settings"][field])
		)
	for field in (
		"global_rental_initial",
		"global_rental_hourly",
		"bonus_amount",
		"bonus_enabled",
		"update_interval",
	):
		kept = frappe.db.get_single_value(legacy, field)
		c.check(
			f"legacy setting {field} kept",
			money(kept) == money(facts["settings"][field]),
			(kept, facts["settings"][field]),
		)
	for field in ("textsms_api_key", "telematics_api_key", "telematics_api_secret", "mpesa_api_key"):
		c.check(f"legacy secret {field} kept", secret(legacy, field) == old[field])


def inbox(c, facts):
	for trans_id in facts["failed_confirmations"]:
		status = frappe.db.get_value(
			"TukTuk Callback", {"trans_id": trans_id, "callback_type": "C2B Confirmation"}, "status"
		)
		c.check(f"uncredited payment {trans_id} waits as Uncaptured", status == "Uncaptured", status)
	payouts = q("select count(*) from `tabTukTuk Payout`")[0][0]
	c.check("no payout made by the migrate", payouts == 0, payouts)


def desk_and_scheduler(c, facts):
	for report in (
		"Deposit Management Report",
		"Driver Performance Report",
		"TukTuk Daily Report",
		"TukTuk Driver Statement",
	):
		if frappe.db.table_exists("Report") and q("select 1 from `tabReport` where name=%s", (report,)):
			disabled = q("select disabled from `tabReport` where name=%s", (report,))[0][0]
			c.check(f"report {report} (no code any more) disabled", int(disabled) == 1, disabled)
	jobs = q("select method from `tabScheduled Job Type`", pluck=True)
	stale = [m for m in jobs if any(m.endswith(j) and "tuktuk_management.api." in m for j in ORIGINAL_JOBS)]
	c.check("the original's scheduled jobs are gone", not stale, stale)
	c.check("our daily close is scheduled", "tuktuk_management.daily_close.run_daily_close" in jobs)
	upgraded_on = frappe.db.get_single_value("TukTuk Legacy Settings", "upgraded_on")
	errors = q("select method from `tabError Log` where creation >= %s", (upgraded_on,), pluck=True)
	unexpected = [e for e in errors if e not in UPGRADE_LOG_TITLES]
	c.check("the migrate logged no error", not unexpected, unexpected)
	report = json.loads(frappe.db.get_single_value("TukTuk Legacy Settings", "upgrade_report") or "{}")
	c.check(
		"upgrade report complete and checked", report.get("checked", {}).get("ok") is True, sorted(report)
	)


# -- resave ------------------------------------------------------------------------------------------------


def resave(c: Checks, facts):
	doctypes = ["TukTuk Driver", "TukTuk Vehicle", "TukTuk Transaction"] + [
		d for d in LEGACY_DOCTYPES if not frappe.get_meta(d).istable
	]
	failures, saved = [], 0
	for doctype in doctypes:
		for name in q(f"select name from `tab{doctype}` order by name", pluck=True):
			frappe.db.savepoint("resave")
			try:
				doc = frappe.get_doc(doctype, name)
				if doctype == "TukTuk Transaction":
					from tuktuk_management import records

					records.by_app(
						doc
					)  # ledger rows are saved only by the app (tuktuk_management/records.py)
				doc.save(ignore_permissions=True)
				saved += 1
			except Exception as exc:
				failures.append(f"{doctype} {name}: {type(exc).__name__}: {exc}")
			finally:
				frappe.db.rollback(save_point="resave")
				frappe.local.message_log = []
	c.check(f"every record the original wrote saves again ({saved} saved)", not failures, failures[:20])
	middle = frappe.get_doc("TukTuk Driver", "DRV-112002")
	c.check(
		"a middle name stays in the driver's name",
		middle.driver_name == "Bob Otieno Barasa",
		middle.driver_name,
	)


# -- money: one payment, one close --------------------------------------------------------------------------


def money_phase(c: Checks, facts):
	from frappe.utils import add_days, getdate

	from tuktuk_management.daily_close import run_daily_close
	from tuktuk_management.reconciliation import reconcile_all_drivers_balances
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
		get_callback_secret,
	)

	keep_payouts_local()
	driver = "DRV-112001"
	before = money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
	period = getdate(frappe.db.get_value("TukTuk Driver", driver, "balance_period"))
	body = {
		"TransactionType": "Pay Bill",
		"TransID": "UPGNEW0001",
		"TransTime": "20261129130000",
		"TransAmount": "400.00",
		"BusinessShortCode": facts["settings"]["mpesa_paybill"],
		"BillRefNumber": "001",
		"MSISDN": "254712999001",
		"FirstName": "NEW",
	}
	frappe.set_user("Guest")
	try:
		frappe.call("tuktuk_management.api.tuktuk.payment_confirmation", token=get_callback_secret(), **body)
	finally:
		frappe.set_user("Administrator")
	frappe.db.commit()
	row = frappe.db.get_value(
		"TukTuk Transaction",
		{"transaction_id": "UPGNEW0001"},
		["driver", "target_contribution", "balance_period"],
		as_dict=True,
	)
	c.check(
		"the new payment is credited to the original's open period",
		row and row.driver == driver and getdate(row.balance_period) == period,
		row,
	)
	after = money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
	c.check(
		"the balance grows by the contribution",
		row and after == round(before + money(row.target_contribution), 2),
		(before, after),
	)
	result = reconcile_all_drivers_balances(auto_fix=False)
	c.check(
		"reconciliation: no discrepancy after a new payment",
		result.drivers_with_discrepancies == 0,
		[r.driver for r in result.discrepancies],
	)
	new_period = max(add_days(period, 1), getdate(frappe.utils.nowdate()))
	closed = run_daily_close(date=new_period)
	close = frappe.db.get_value(
		"TukTuk Daily Close",
		{"driver": driver, "balance_period": period},
		["closing_balance", "new_period"],
		as_dict=True,
	)
	c.check(
		"the daily close closes the original's period with its balance",
		close and money(close.closing_balance) == after,
		(close, after, closed.drivers_closed),
	)
	result = reconcile_all_drivers_balances(auto_fix=False)
	c.check(
		"reconciliation: no discrepancy after the daily close",
		result.drivers_with_discrepancies == 0,
		[r.driver for r in result.discrepancies],
	)
	c.check(
		"the new period opens at zero",
		money(frappe.db.get_value("TukTuk Driver", driver, "current_balance")) == 0,
	)


# -- before the HTTP checks ---------------------------------------------------------------------------------


def keep_payouts_local():
	"""Payouts and payment checks must not reach Safaricom from a test: a custom environment on a closed port."""
	frappe.db.set_single_value("TukTuk Settings", "mpesa_environment", "custom")
	frappe.db.set_single_value("TukTuk Settings", "mpesa_base_url", "http://127.0.0.1:9")
	frappe.db.commit()


def prepare_http(c: Checks, facts, out):
	"""What the HTTP checks need: payouts kept local, the callback secret, API keys for a former manager."""
	from frappe.utils.password import set_encrypted_password

	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
		get_callback_secret,
	)

	keep_payouts_local()
	user = facts["managers"][0]
	api_key, api_secret = "upgmgrkey" + frappe.generate_hash(length=6), frappe.generate_hash(length=15)
	frappe.db.set_value("User", user, "api_key", api_key, update_modified=False)
	set_encrypted_password("User", user, api_secret, "api_secret")
	frappe.db.commit()
	out["http"] = {
		"token": get_callback_secret(),
		"manager": user,
		"authorization": f"token {api_key}:{api_secret}",
		"paybill": facts["settings"]["mpesa_paybill"],
		"petty_cash": facts["petty_cash_in_flight"],
	}
	c.check("ready for HTTP", True)


# -- snapshot ------------------------------------------------------------------------------------------------


def snapshot():
	def digest(rows):
		return hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()

	snap = {t: q(f"select count(*) from `tab{t}`")[0][0] for t in OUR_TABLES + LEGACY_DOCTYPES}
	snap["ledger"] = digest(
		q(
			"""select name, transaction_id, driver, former_driver, substitute_driver, amount, driver_share,
			target_contribution, payment_status, balance_period from `tabTukTuk Transaction` order by name"""
		)
	)
	snap["drivers"] = digest(
		q(
			"""select name, status, current_balance, left_to_target, daily_target, balance_period, consecutive_misses
			from `tabTukTuk Driver` order by name"""
		)
	)
	snap["vehicles"] = digest(q("select name, status, mpesa_account from `tabTukTuk Vehicle` order by name"))
	snap["settings"] = digest(
		q(
			"""select doctype, field, value from `tabSingles` where doctype in ('TukTuk Settings', 'TukTuk Legacy Settings')
			and field not in ('modified', 'modified_by') order by doctype, field"""
		)
	)
	snap["roles"] = digest(
		q("select parent, role from `tabHas Role` where role like 'tuktuk%%' order by parent, role")
	)
	return snap


def main(phase, site, sites_path, facts_path):
	facts = json.load(open(facts_path))
	frappe.init(site=site, sites_path=sites_path)
	frappe.connect()
	frappe.set_user("Administrator")
	c = Checks()
	out = {}
	try:
		if phase == "state":
			state(c, facts)
		elif phase == "resave":
			resave(c, facts)
		elif phase == "money":
			money_phase(c, facts)
		elif phase == "prepare_http":
			prepare_http(c, facts, out)
		elif phase != "snapshot":
			raise SystemExit(f"unknown phase {phase}")
		out["snapshot"] = snapshot()
	finally:
		frappe.db.rollback()
		frappe.destroy()
	out["checks"] = c.results
	print("CHECKS: " + json.dumps(out, default=str))


if __name__ == "__main__":
	main(*sys.argv[1:])
