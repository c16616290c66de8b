"""The reference document's rollout checklist as two console commands (docs/going-live.md, "Rolling out").

    bench --site S backup --with-files
    bench --site S execute tuktuk_management.rollout.pre_deployment_check
    ... deploy: git pull / bench migrate / bench restart ...
    bench --site S execute tuktuk_management.rollout.post_deployment_check

``pre_deployment_check``: (1) a database backup younger than ``BACKUP_MAX_AGE`` exists (the reference's
"Backup Database"; the check does not take one itself, so the operator's own backup command and storage stay in
charge), (2) reconcile-all *report only* (``auto_fix`` off), its baseline printed and kept in the site's
private folder for the post-check, (3) the health check. ``post_deployment_check``: (1) the on-site self-check
``tuktuk_management.test_balance_fixes.run_tests`` (scratch records, everything rolled back), (2) reconcile-all
report only, compared with the baseline, (3) the health check. Each prints a readable summary, one line per
step, and exits 1 when a step FAILs (``SystemExit`` after printing: ``bench execute`` would exit 0 on a normal
return).

Discrepancies found before the deployment are a baseline, not a failure (WARN): they were there already and
are to be fixed knowingly (``reconcile_all_drivers_balances(auto_fix=True)``). After the deployment, MORE
discrepancies than the baseline is a FAIL.
"""

import datetime
import json
import os

import frappe
from frappe.utils import now_datetime

from tuktuk_management import health
from tuktuk_management.health import FAIL, OK, WARN, worst

BACKUP_MAX_AGE = datetime.timedelta(hours=6)
BASELINE_FILE = "tuktuk_rollout_baseline.json"


def _backups_folder() -> str:
	return frappe.get_site_path(*(frappe.conf.get("backup_path") or "private/backups").split("/"))


def latest_backup() -> tuple[str, datetime.datetime] | None:
	"""(path, time) of the newest database backup of the site, or None."""
	folder = _backups_folder()
	if not os.path.isdir(folder):
		return None
	files = [
		os.path.join(folder, name)
		for name in os.listdir(folder)
		if "database" in name or name.endswith((".sql", ".sql.gz", ".sqlite3", ".db"))
	]
	if not files:
		return None
	newest = max(files, key=os.path.getmtime)
	return newest, datetime.datetime.fromtimestamp(os.path.getmtime(newest))


def check_backup(now=None) -> health.Item:
	found = latest_backup()
	site = getattr(frappe.local, "site", "S")
	if not found:
		return health.Item("backup", FAIL, f"no backup of this site: bench --site {site} backup --with-files")
	path, taken = found
	age = datetime.datetime.now() - taken
	if age > BACKUP_MAX_AGE:
		return health.Item(
			"backup",
			FAIL,
			f"newest backup is {int(age.total_seconds() // 3600)} h old ({os.path.basename(path)}):"
			f" bench --site {site} backup --with-files",
		)
	return health.Item("backup", OK, f"{os.path.basename(path)}, {int(age.total_seconds() // 60)} min old")


def reconcile_report() -> dict:
	"""Reconcile-all, report only: never fixes (the reference's pre-deployment reconciliation)."""
	from tuktuk_management.reconciliation import reconcile_all_drivers_balances

	result = reconcile_all_drivers_balances(auto_fix=False, source="Manual", commit=True)
	return {
		"drivers_checked": int(result.drivers_checked),
		"drivers_with_discrepancies": int(result.drivers_with_discrepancies),
		"total_discrepancy_amount": str(result.total_discrepancy_amount),
		"discrepancies": [
			{
				"driver": d.driver,
				"discrepancy": str(d.discrepancy),
				"current_balance": str(d.current_balance),
				"calculated_balance": str(d.calculated_balance),
			}
			for d in result.discrepancies
		],
	}


def _baseline_path() -> str:
	return frappe.get_site_path("private", BASELINE_FILE)


def _save_baseline(baseline: dict) -> None:
	os.makedirs(os.path.dirname(_baseline_path()), exist_ok=True)
	with open(_baseline_path(), "w") as f:
		json.dump(baseline, f, indent=1)


def _load_baseline() -> dict | None:
	try:
		with open(_baseline_path()) as f:
			return json.load(f)
	except (OSError, ValueError):
		return None


def _print_reconciliation(report: dict, out=print) -> None:
	out(
		f"  drivers checked: {report['drivers_checked']}, with discrepancies:"
		f" {report['drivers_with_discrepancies']}, total KES {report['total_discrepancy_amount']}"
	)
	for d in report["discrepancies"][:20]:
		out(
			f"    {d['driver']}: balance {d['current_balance']}, ledger {d['calculated_balance']},"
			f" discrepancy {d['discrepancy']}"
		)
	if len(report["discrepancies"]) > 20:
		out(f"    ... and {len(report['discrepancies']) - 20} more")


def _finish(title: str, steps: list[health.Item], exit_on_fail: bool) -> dict:
	status = worst(s.status for s in steps)
	print(f"\n{title}: {status}")
	for s in steps:
		print(f"  {s.status:<4}  {s.name:<15} {s.reason}")
	print(flush=True)
	summary = {"status": status, "steps": [s.as_dict() for s in steps]}
	if exit_on_fail and status == FAIL:
		raise SystemExit(1)
	return summary


def pre_deployment_check(exit_on_fail: bool = True) -> dict | None:
	"""Backup present, reconcile-all report-only baseline (printed and kept), health check."""
	site = getattr(frappe.local, "site", "?")
	print(f"PRE-DEPLOYMENT CHECK of {site} at {now_datetime():%Y-%m-%d %H:%M:%S}\n")
	steps = []
	print("1. Backup")
	steps.append(check_backup())
	print(f"  {steps[-1].reason}")

	print("\n2. Reconciliation, report only (auto_fix off): the baseline")
	report = reconcile_report()
	_print_reconciliation(report)
	report["taken_at"] = str(now_datetime())
	_save_baseline(report)
	count = report["drivers_with_discrepancies"]
	print(f"  Pre-deployment discrepancies: {count} (baseline kept in private/{BASELINE_FILE})")
	steps.append(
		health.Item(
			"reconciliation",
			WARN if count else OK,
			f"baseline: {count} driver(s) with discrepancies, KES {report['total_discrepancy_amount']}"
			+ (" (fix knowingly: reconcile_all_drivers_balances auto_fix=True)" if count else ""),
		)
	)

	print("\n3. Health check")
	steps.append(_health_step())
	summary = _finish("PRE-DEPLOYMENT CHECK", steps, exit_on_fail)
	return None if exit_on_fail else summary


def post_deployment_check(exit_on_fail: bool = True) -> dict | None:
	"""Self-check (rolled back), reconcile-all report-only against the baseline, health check."""
	from tuktuk_management.test_balance_fixes import run_tests

	site = getattr(frappe.local, "site", "?")
	print(f"POST-DEPLOYMENT CHECK of {site} at {now_datetime():%Y-%m-%d %H:%M:%S}\n")
	steps = []
	print("1. Self-check: tuktuk_management.test_balance_fixes.run_tests")
	result = run_tests(verbose=True)
	steps.append(
		health.Item(
			"self-check",
			OK if result["passed"] else FAIL,
			f"{result['checks_passed']}/{result['checks_total']} checks passed (rolled back)",
		)
	)

	print("2. Reconciliation, report only, against the pre-deployment baseline")
	report = reconcile_report()
	_print_reconciliation(report)
	baseline = _load_baseline()
	now_count = report["drivers_with_discrepancies"]
	if baseline is None:
		status, text = (
			(WARN if now_count else OK),
			f"{now_count} with discrepancies (no baseline: pre_deployment_check not run)",
		)
	else:
		before = int(baseline["drivers_with_discrepancies"])
		text = (
			f"{now_count} with discrepancies, baseline {before} (taken {baseline.get('taken_at', '?')[:16]})"
		)
		status = FAIL if now_count > before else (WARN if now_count else OK)
	print(f"  {text}")
	steps.append(health.Item("reconciliation", status, text))

	print("\n3. Health check")
	steps.append(_health_step())
	summary = _finish("POST-DEPLOYMENT CHECK", steps, exit_on_fail)
	return None if exit_on_fail else summary


def _health_step() -> health.Item:
	"""The health check as one step. Its reconciliation item is left out of the step's verdict: step 2
	compares the discrepancies with the baseline, which is the rollout's own judgement of them."""
	report = health.get_report()
	print("\n".join("  " + line for line in health.format_report(report).splitlines()))
	judged = [i for i in report["items"] if i["name"] != "reconciliation"]
	problems = [f"{i['name']}: {i['status']}" for i in judged if i["status"] != OK]
	return health.Item(
		"health", worst(i["status"] for i in judged), ", ".join(problems) if problems else "every item OK"
	)
