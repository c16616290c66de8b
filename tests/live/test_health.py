"""The health check: every item in its OK state and in its WARN/FAIL state, on SQLite and on MariaDB; the
console form's exit code; the whitelisted method's role check."""

import datetime
import time

import pytest

from tests.helpers.fixtures import empty_redis_db

from .conftest import CONSUMER_KEY, CONSUMER_SECRET


def now():
	import frappe

	return frappe.utils.now_datetime()


def one(items, name=None):
	assert len(items) == 1 or name, items
	item = items[0] if not name else next(i for i in items if i.name == name)
	return item.status, item.reason


def make_driver_with_payment(frappe, amount=100):
	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	make_payment(driver, amount)
	return driver.name


def callback(frappe, status="Processed", age=datetime.timedelta(0), callback_type="C2B Confirmation"):
	from tuktuk_management.inbox import Received, store_callback

	name = store_callback(
		callback_type, Received.of({"TransID": frappe.generate_hash(length=10)}), status=status
	)
	frappe.db.sql(
		"update `tabTukTuk Callback` set creation=%s, modified=%s where name=%s",
		(now() - age, now() - age, name),
	)
	frappe.db.commit()
	return name


# -- scheduler and jobs ----------------------------------------------------------------------------------------


def test_scheduler(site):
	from tuktuk_management.health import FAIL, OK, check_scheduler

	assert one(check_scheduler(now()))[0] == OK
	site.db.set_single_value("System Settings", "enable_scheduler", 0)
	status, reason = one(check_scheduler(now()))
	assert status == FAIL and "disabled" in reason
	site.db.set_single_value("System Settings", "enable_scheduler", 1)
	site.local.conf.pause_scheduler = 1
	status, reason = one(check_scheduler(now()))
	assert status == FAIL and "pause_scheduler" in reason


def test_a_dormant_site_fails_the_scheduler(site, monkeypatch):
	"""v15 runs a dormant site's jobs (no Activity Log for dormant_days) once a day; frappe_lite has no such
	rule, so the rule is played here by giving frappe.utils.scheduler an is_dormant."""
	from frappe.utils import scheduler

	from tuktuk_management.health import FAIL, check_scheduler

	monkeypatch.setattr(scheduler, "is_dormant", lambda: True, raising=False)
	status, reason = one(check_scheduler(now()))
	assert status == FAIL and "dormant" in reason and "once a day" in reason


def test_jobs_on_time_overdue_failed_stopped(site):
	from tuktuk_management.health import FAIL, OK, check_jobs

	items = {i.name: i for i in check_jobs(now())}
	assert set(items) == {
		"job retry_due_payouts",
		"job run_daily_close",
		"job scheduled_reconciliation",
		"job retry_unanswered_verifications",
		"job sweep_callbacks",
		"job daily_check",
	}
	assert all(i.status == OK for i in items.values()), items
	assert "not run yet" in items["job retry_due_payouts"].reason

	# the 4-minute job last ran an hour ago: the scheduler (or the worker) is not running
	job = site.db.get_value("Scheduled Job Type", {"method": ("like", "%retry_due_payouts")})
	site.db.set_value("Scheduled Job Type", job, "last_execution", now() - datetime.timedelta(hours=1))
	status, reason = one(check_jobs(now()), "job retry_due_payouts")
	assert status == FAIL and "overdue" in reason

	site.db.set_value("Scheduled Job Type", job, "last_execution", now() - datetime.timedelta(minutes=1))
	assert one(check_jobs(now()), "job retry_due_payouts")[0] == OK

	# the last run of the reconciliation failed
	rec = site.db.get_value("Scheduled Job Type", {"method": ("like", "%scheduled_reconciliation")})
	site.get_doc({"doctype": "Scheduled Job Log", "scheduled_job_type": rec, "status": "Failed"}).insert(
		ignore_permissions=True
	)
	status, reason = one(check_jobs(now()), "job scheduled_reconciliation")
	assert status == FAIL and "Failed" in reason

	site.db.set_value("Scheduled Job Type", job, "stopped", 1)
	status, reason = one(check_jobs(now()), "job retry_due_payouts")
	assert status == FAIL and "stopped" in reason


# -- workers and queues ----------------------------------------------------------------------------------------


def test_workers_inline_without_redis(site):
	from tuktuk_management.health import OK, check_workers

	items = check_workers(now())
	assert [(i.name, i.status) for i in items] == [("workers", OK)]
	assert "inline" in items[0].reason


def test_workers_redis_unreachable(site):
	from tuktuk_management.health import FAIL, check_workers

	site.local.conf.redis_queue = "redis://127.0.0.1:1/0"
	status, reason = one(check_workers(now()))
	assert status == FAIL and "not reachable" in reason


def test_workers_none_alive_then_one_and_a_queue_backlog(site):
	from frappe.utils.background_jobs import generate_qname
	from rq import Queue, Worker

	from tuktuk_management.health import FAIL, OK, WARN, check_workers

	conn, db = empty_redis_db()
	try:
		site.local.conf.redis_queue = f"redis://127.0.0.1:6379/{db}"
		items = {i.name: i for i in check_workers(now())}
		assert items["workers"].status == FAIL and "no RQ worker" in items["workers"].reason
		assert items["queues"].status == OK

		# a worker of this bench registers itself (as `bench worker` does) and heartbeats
		queues = [Queue(generate_qname(q), connection=conn) for q in ("short", "default", "long")]
		worker = Worker(queues, connection=conn, name=f"health-test-{db}")
		worker.register_birth()
		worker.heartbeat()
		items = {i.name: i for i in check_workers(now())}
		assert items["workers"].status == OK, items
		assert "1 worker(s) on default, long, short" in items["workers"].reason

		# a job waiting for 20 minutes
		job = queues[1].enqueue("builtins.print", "x")
		job.enqueued_at = datetime.datetime.now(datetime.timezone.utc).replace(
			tzinfo=None
		) - datetime.timedelta(minutes=20)
		job.save()
		items = {i.name: i for i in check_workers(now())}
		assert items["queues"].status == WARN and "oldest waiting 20 min" in items["queues"].reason
		assert "default 1" in items["queues"].reason

		# a registration whose process is gone (killed: RQ keeps it until its key expires) is dead
		worker.register_death()
		ghost = Worker(queues, connection=conn, name=f"ghost-{db}")
		ghost.register_birth()
		conn.hset(ghost.key, "pid", 2**22 + 7)  # beyond pid_max: no such process
		items = {i.name: i for i in check_workers(now())}
		assert items["workers"].status == FAIL and "1 registration(s) of dead" in items["workers"].reason
		ghost.register_death()
		worker.register_birth()

		# a worker of another bench does not count
		worker.register_death()
		other = Worker([Queue("/other/bench:default", connection=conn)], connection=conn, name=f"other-{db}")
		other.register_birth()
		items = {i.name: i for i in check_workers(now())}
		assert items["workers"].status == FAIL
	finally:
		conn.flushdb()


# -- callbacks -------------------------------------------------------------------------------------------------


def test_last_callback(site):
	from tuktuk_management.health import FAIL, OK, WARN, check_last_callback

	noon = now().replace(hour=12, minute=0)
	status, reason = one(check_last_callback(noon))
	assert status == WARN and "no payment confirmation" in reason

	name = callback(site, age=datetime.timedelta(minutes=5))
	created = site.db.get_value("TukTuk Callback", name, "creation")
	assert one(check_last_callback(created + datetime.timedelta(minutes=5)))[0] == OK
	# three quiet hours at noon: WARN; seven: FAIL; seven quiet hours at 03:00 (closed): OK
	assert one(check_last_callback(created + datetime.timedelta(hours=3)))[0] in (WARN, OK)
	at_noon = noon if noon > created else noon + datetime.timedelta(days=1)
	site.db.sql(
		"update `tabTukTuk Callback` set creation=%s where name=%s",
		(at_noon - datetime.timedelta(hours=3), name),
	)
	status, reason = one(check_last_callback(at_noon))
	assert status == WARN and "during operating hours" in reason
	site.db.sql(
		"update `tabTukTuk Callback` set creation=%s where name=%s",
		(at_noon - datetime.timedelta(hours=7), name),
	)
	status, reason = one(check_last_callback(at_noon))
	assert status == FAIL and "Safaricom" in reason
	night = at_noon.replace(hour=3)
	site.db.sql(
		"update `tabTukTuk Callback` set creation=%s where name=%s",
		(night - datetime.timedelta(hours=7), name),
	)
	status, reason = one(check_last_callback(night))
	assert status == OK and "outside operating hours" in reason


def test_pending_callbacks(site):
	from tuktuk_management.health import FAIL, OK, WARN, check_pending_callbacks

	callback(site, "Processed", datetime.timedelta(hours=1))
	callback(site, "Received", datetime.timedelta(seconds=10))  # being processed right now
	status, reason = one(check_pending_callbacks(now()))
	assert status == OK and "1 being processed" in reason

	uncaptured = callback(site, "Uncaptured", datetime.timedelta(minutes=30))
	status, reason = one(check_pending_callbacks(now()))
	assert status == WARN and "1 payment(s) Uncaptured" in reason

	callback(site, "Received", datetime.timedelta(minutes=20))  # stored, never processed
	status, reason = one(check_pending_callbacks(now()))
	assert status == FAIL and "1 stored but not processed" in reason

	site.db.sql("delete from `tabTukTuk Callback` where status='Received'")
	site.db.set_value("TukTuk Callback", uncaptured, "status", "Failed")
	status, reason = one(check_pending_callbacks(now()))
	assert status == FAIL and "1 Failed" in reason


# -- payouts ---------------------------------------------------------------------------------------------------


def _payout(site, status, age):
	"""A real payout row (made by crediting with B2C off: On Hold), moved to ``status`` ``age`` ago."""
	driver = make_driver_with_payment(site)
	name = site.db.get_value("TukTuk Payout", {"driver": driver})
	moment = now() - age
	site.db.sql(
		"update `tabTukTuk Payout` set status=%s, next_attempt_at=%s, modified=%s, creation=%s where name=%s",
		(status, moment, moment, moment, name),
	)
	site.db.commit()
	return name


def test_payouts(site):
	from tuktuk_management.health import FAIL, OK, WARN, check_payouts

	status, reason = one(check_payouts(now()))
	assert status == OK and "nothing queued" in reason

	held = _payout(site, "On Hold", datetime.timedelta(hours=3))
	queued = _payout(site, "Queued", datetime.timedelta(minutes=2))
	status, reason = one(check_payouts(now()))
	assert status == OK and "1 queued" in reason and "1 on hold" in reason

	site.db.set_value("TukTuk Payout", queued, "next_attempt_at", now() - datetime.timedelta(hours=1))
	status, reason = one(check_payouts(now()))
	assert status == FAIL and "1 Queued" in reason

	site.db.sql(
		"update `tabTukTuk Payout` set status='Sent', modified=%s where name=%s",
		(now() - datetime.timedelta(minutes=40), queued),
	)
	status, reason = one(check_payouts(now()))
	assert status == WARN and "in doubt" in reason

	site.db.sql(
		"update `tabTukTuk Payout` set status='Unknown', modified=%s where name=%s",
		(now() - datetime.timedelta(hours=3), queued),
	)
	status, reason = one(check_payouts(now()))
	assert status == FAIL and "in doubt" in reason

	site.db.sql("update `tabTukTuk Payout` set status='Paid' where name=%s", (queued,))
	site.db.sql("update `tabTukTuk Payout` set status='Failed' where name=%s", (held,))
	status, reason = one(check_payouts(now()))
	assert status == WARN and "1 Failed" in reason


# -- reconciliation --------------------------------------------------------------------------------------------


def test_reconciliation(site):
	from tuktuk_management.health import FAIL, OK, WARN, check_reconciliation

	driver = make_driver_with_payment(site, 200)
	status, reason = one(check_reconciliation(now()))
	assert status == OK and "1 balance(s) match" in reason

	site.log_error(title="Balance Discrepancy Detected", message="seen and fixed")
	site.db.commit()
	assert one(check_reconciliation(now()))[0] == WARN

	# a lost update: the balance no longer equals the ledger
	site.db.sql(
		"update `tabTukTuk Driver` set current_balance = current_balance - 37 where name=%s", (driver,)
	)
	site.db.commit()
	status, reason = one(check_reconciliation(now()))
	assert status == FAIL and "1 of 1 driver balance(s) differ" in reason and "37.00" in reason

	site.db.sql(
		"update `tabTukTuk Driver` set current_balance = current_balance + 37 where name=%s", (driver,)
	)
	site.db.sql("delete from `tabError Log`")
	rec = site.db.get_value("Scheduled Job Type", {"method": ("like", "%scheduled_reconciliation")})
	site.get_doc({"doctype": "Scheduled Job Log", "scheduled_job_type": rec, "status": "Failed"}).insert(
		ignore_permissions=True
	)
	status, reason = one(check_reconciliation(now()))
	assert status == FAIL and "(Failed)" in reason


# -- Daraja ----------------------------------------------------------------------------------------------------


def _point_at(site, base_url, key=CONSUMER_KEY, secret=CONSUMER_SECRET):
	doc = site.get_single("TukTuk Settings")
	doc.update(
		{
			"mpesa_environment": "custom",
			"mpesa_base_url": base_url,
			"mpesa_consumer_key": key,
			"mpesa_consumer_secret": secret,
			"http_timeout_seconds": 5,
		}
	)
	doc.save(ignore_permissions=True)
	site.db.commit()


def test_daraja_token(site, daraja):
	from tuktuk_management.health import FAIL, OK, WARN, check_daraja_token

	status, reason = one(check_daraja_token(now()))
	assert status == WARN and "not configured" in reason

	_point_at(site, daraja.url)
	status, reason = one(check_daraja_token(now()))
	assert status == OK and daraja.url in reason

	from tuktuk_management.payouts import daraja as client

	client._process_tokens.clear()
	site.db.sql("delete from `__Auth` where fieldname='mpesa_access_token'")
	_point_at(site, daraja.url, secret="not-the-secret")
	status, reason = one(check_daraja_token(now()))
	assert status == FAIL and "refused the credentials" in reason


# -- the whole report, the console form and the API ------------------------------------------------------------


def test_report_overall_and_console_exit_code(site, live_site):
	from tuktuk_management.health import FAIL, WARN, format_report, get_report

	report = get_report(check_daraja=False)
	assert report["status"] == WARN  # a fresh site has received no payment yet
	assert report["counts"]["FAIL"] == 0
	text = format_report(report)
	assert text.splitlines()[-1].startswith("overall: WARN")

	done = live_site.cli("execute", "tuktuk_management.health.health", check=False)
	assert done.returncode == 0, done.stdout + done.stderr
	assert "overall: WARN" in done.stdout and "daraja token" in done.stdout

	site.db.set_single_value("System Settings", "enable_scheduler", 0)
	callback(site, "Received", datetime.timedelta(hours=1))
	site.db.commit()
	assert get_report(check_daraja=False)["status"] == FAIL
	done = live_site.cli("execute", "tuktuk_management.health.health", check=False)
	assert done.returncode == 1, done.stdout + done.stderr
	assert "FAIL  scheduler" in done.stdout and "FAIL  callbacks pending" in done.stdout
	assert "overall: FAIL" in done.stdout


def test_api_is_for_managers(site):
	from tuktuk_management.api.health import get_health, health_card

	report = get_health()
	assert {i["name"] for i in report["items"]} >= {"scheduler", "workers", "payouts", "daraja token"}
	assert health_card() == {"value": 0, "fieldtype": "Int"}
	if not site.db.exists("User", "clerk@example.com"):
		site.get_doc(
			{"doctype": "User", "email": "clerk@example.com", "first_name": "Clerk", "send_welcome_email": 0}
		).insert(ignore_permissions=True)
	site.set_user("clerk@example.com")
	try:
		with pytest.raises(site.PermissionError):
			get_health()
	finally:
		site.set_user("Administrator")


def test_a_check_that_breaks_is_a_fail_not_a_crash(site, monkeypatch):
	from tuktuk_management import health

	def check_broken(now):
		raise RuntimeError("boom")

	monkeypatch.setattr(health, "_checks", lambda check_daraja: [health.check_scheduler, check_broken])
	report = health.get_report()
	assert report["status"] == health.FAIL
	assert report["items"][-1]["name"] == "broken" and "boom" in report["items"][-1]["reason"]
	time.sleep(0)
