"""Is this site healthy enough to take M-Pesa payments? One check, three doors.

- ``bench --site S execute tuktuk_management.health.health`` (or ``frappe-lite --site S execute ...``): prints
  one line per item and **exits 1 when any item FAILs** (``bench execute`` prints a return value and exits 0
  on a normal return, so the console form raises ``SystemExit(1)`` after printing; cron or a monitor can use
  the exit code). WARN alone exits 0.
- ``tuktuk_management.api.health.get_health`` (managers, whitelisted): the same report as a dict, for Desk.
- The workspace's health indicator calls that method.

Every item is OK, WARN or FAIL with a one-line reason:

| item | FAIL when | WARN when |
|---|---|---|
| scheduler | the scheduler is disabled or paused (System Settings, site config, maintenance mode), or the site is dormant (v15 then runs jobs once a day) | |
| job <name> (one per scheduled job of the app) | stopped, its last run failed, or overdue by more than ``JOB_GRACE`` | |
| workers | Redis queue unreachable, or no live RQ worker listens to this bench's queues | a worker's heartbeat is old, a queue has no worker |
| queues | | a job has waited more than ``QUEUE_WAIT_WARN`` |
| last callback | no payment callback for ``CALLBACK_SILENCE_FAIL`` during operating hours | none for ``CALLBACK_SILENCE_WARN``, or none ever |
| callbacks pending | a callback stored but not processed after ``RECEIVED_STUCK``, or Failed (replayable) | payments Uncaptured (wait for a manager) |
| mpesa record | the daily check found payments on M-Pesa's record and not in the ledger (or the reverse, or another amount), or could not run, in the last day | |
| callback sweep | a pending confirmation the scheduled sweep gave up on (``sweep.MAX_SWEEP_ATTEMPTS`` failed replays; Error Log "TukTuk Callback Not Swept") | |
| payouts | Queued past due by ``PAYOUT_OVERDUE_FAIL``, or Sent/Unknown (in doubt) longer than ``PAYOUT_DOUBT_FAIL`` | Failed payouts; in doubt longer than ``PAYOUT_DOUBT_WARN`` |
| reconciliation | a balance differs from its ledger now, or the last scheduled run failed | discrepancies were logged in the last day |
| daraja token | Daraja refuses the credentials or cannot be reached | M-Pesa not configured yet |

Read-only, except that the Daraja token check may fetch a token (shared with the payout workers, as every
token is) when the cached one is stale.
"""

import dataclasses
import datetime
import sys

import frappe
from frappe.utils import cint, get_datetime, now_datetime

OK, WARN, FAIL = "OK", "WARN", "FAIL"
_RANK = {OK: 0, WARN: 1, FAIL: 2}

APP_PREFIX = "tuktuk_management."
JOB_GRACE = datetime.timedelta(minutes=15)
HEARTBEAT_STALE = datetime.timedelta(minutes=10)
QUEUE_WAIT_WARN = datetime.timedelta(minutes=10)
CALLBACK_SILENCE_WARN = datetime.timedelta(hours=2)
CALLBACK_SILENCE_FAIL = datetime.timedelta(hours=6)
RECEIVED_STUCK = datetime.timedelta(minutes=5)
PAYOUT_OVERDUE_FAIL = datetime.timedelta(minutes=30)
PAYOUT_DOUBT_WARN = datetime.timedelta(minutes=15)
PAYOUT_DOUBT_FAIL = datetime.timedelta(hours=2)
DISCREPANCY_LOOKBACK = datetime.timedelta(days=1)

CALLBACK, PAYOUT = "TukTuk Callback", "TukTuk Payout"
PAYMENT_CALLBACK = "C2B Confirmation"
DISCREPANCY_TITLE = "Balance Discrepancy Detected"


@dataclasses.dataclass(frozen=True)
class Item:
	name: str
	status: str
	reason: str

	def as_dict(self) -> dict:
		return dataclasses.asdict(self)


def worst(statuses) -> str:
	return max(statuses, key=_RANK.__getitem__, default=OK)


# -- the report ---------------------------------------------------------------------------------------------


def get_report(now=None, check_daraja: bool = True) -> dict:
	"""Every item, and the overall status (the worst of them)."""
	now = get_datetime(now) if now else now_datetime()
	items = []
	for check in _checks(check_daraja):
		try:
			items.extend(check(now))
		except Exception as exc:  # a check that breaks is itself a finding, never a crash of the report
			frappe.db.rollback()
			items.append(
				Item(check.__name__.removeprefix("check_"), FAIL, f"the check itself failed: {exc!r}"[:300])
			)
	return {
		"site": getattr(frappe.local, "site", None),
		"checked_at": str(now.replace(microsecond=0)),
		"status": worst(i.status for i in items),
		"counts": {s: sum(i.status == s for i in items) for s in (OK, WARN, FAIL)},
		"items": [i.as_dict() for i in items],
	}


def _checks(check_daraja: bool):
	checks = [
		check_scheduler,
		check_jobs,
		check_workers,
		check_last_callback,
		check_pending_callbacks,
		check_callback_sweep,
		check_mpesa_record,
		check_payouts,
		check_reconciliation,
	]
	if check_daraja:
		checks.append(check_daraja_token)
	return checks


def format_report(report: dict) -> str:
	lines = [f"TukTuk health of {report['site']} at {report['checked_at']}"]
	width = max((len(i["name"]) for i in report["items"]), default=10)
	for i in report["items"]:
		lines.append(f"  {i['status']:<4}  {i['name']:<{width}}  {i['reason']}")
	counts = report["counts"]
	lines.append(f"overall: {report['status']} ({counts[OK]} OK, {counts[WARN]} WARN, {counts[FAIL]} FAIL)")
	return "\n".join(lines)


def health():
	"""Console form: print the report; exit 1 if anything FAILs (0 otherwise).

	``bench --site S execute tuktuk_management.health.health``"""
	report = get_report()
	print(format_report(report), flush=True)
	if report["status"] == FAIL:
		raise SystemExit(1)


# -- scheduler and jobs -------------------------------------------------------------------------------------


def scheduler_off_reason() -> str | None:
	"""Why the scheduler will not run jobs for this site, or None (the checks of frappe.utils.scheduler,
	each named)."""
	conf = frappe.local.conf
	if conf.get("maintenance_mode"):
		return "maintenance_mode is set in site config"
	if conf.get("pause_scheduler"):
		return "pause_scheduler is set in site config"
	if conf.get("disable_scheduler"):
		return "disable_scheduler is set in site config"
	if not cint(frappe.db.get_single_value("System Settings", "enable_scheduler")):
		return "disabled (System Settings > Enable Scheduler; bench --site S enable-scheduler)"
	return None


def check_scheduler(now) -> list[Item]:
	reason = scheduler_off_reason()
	if reason:
		return [
			Item("scheduler", FAIL, f"scheduler {reason}: no payout retries, daily close or reconciliation")
		]
	if site_is_dormant():
		days = cint(frappe.db.get_single_value("System Settings", "dormant_days")) or 4
		return [
			Item(
				"scheduler",
				FAIL,
				f"enabled, but the site is dormant (no Activity Log, i.e. no Desk login, for {days} days):"
				" Frappe then runs scheduled jobs only once a day. Raise System Settings > Run Jobs only Daily"
				" if Inactive For (Days) (docs/going-live.md)",
			)
		]
	return [Item("scheduler", OK, "enabled")]


def site_is_dormant() -> bool:
	"""Frappe v15's scheduler skips a dormant site (frappe.utils.scheduler.is_dormant: no Activity Log for
	System Settings.dormant_days) except once a day; frappe_lite has no such rule (no is_dormant)."""
	from frappe.utils import scheduler

	is_dormant = getattr(scheduler, "is_dormant", None)
	return bool(is_dormant and is_dormant())


def _ago(moment, now) -> str:
	if not moment:
		return "never"
	seconds = int((now - get_datetime(moment)).total_seconds())
	if seconds < 0:
		return "just now"
	for size, unit in ((86400, "d"), (3600, "h"), (60, "min")):
		if seconds >= size:
			whole, rest = divmod(seconds, size)
			if unit == "d":
				return f"{whole} d {rest // 3600} h ago"
			if unit == "h":
				return f"{whole} h {rest // 60} min ago"
			return f"{whole} min ago"
	return f"{seconds} s ago"


def _short(method: str) -> str:
	return method.rsplit(".", 1)[-1]


def check_jobs(now) -> list[Item]:
	"""Each of the app's Scheduled Job Types: last run, its outcome, and whether it is overdue."""
	jobs = frappe.get_all(
		"Scheduled Job Type",
		filters={"method": ("like", APP_PREFIX + "%")},
		fields=["name", "method", "frequency", "stopped", "last_execution", "create_log"],
		order_by="method asc",
	)
	if not jobs:
		return [Item("jobs", FAIL, "no scheduled job of tuktuk_management is registered: run bench migrate")]
	items = []
	for row in jobs:
		name = f"job {_short(row.method)}"
		if cint(row.stopped):
			items.append(Item(name, FAIL, "stopped (Scheduled Job Type > Stopped)"))
			continue
		doc = frappe.get_doc("Scheduled Job Type", row.name)
		due = doc.get_next_execution()
		last_log = frappe.get_all(
			"Scheduled Job Log",
			filters={"scheduled_job_type": row.name},
			fields=["status", "creation"],
			order_by="creation desc",
			limit=1,
		)
		last = f"last run {_ago(row.last_execution, now)}" if row.last_execution else "not run yet"
		if last_log:
			last += f" ({last_log[0].status})"
		if last_log and last_log[0].status == "Failed":
			items.append(Item(name, FAIL, f"{last}: see Scheduled Job Log and Error Log"))
		elif now - due > JOB_GRACE:
			items.append(
				Item(
					name,
					FAIL,
					f"overdue since {due:%Y-%m-%d %H:%M}, {last}: is the scheduler process running, and a worker?",
				)
			)
		else:
			items.append(Item(name, OK, f"{last}; next due {due:%Y-%m-%d %H:%M}"))
	return items


# -- workers and queues -------------------------------------------------------------------------------------


def check_workers(now) -> list[Item]:
	if not frappe.conf.get("redis_queue"):
		# Real Frappe always has redis_queue; frappe_lite without it runs each job inline after its commit.
		return [Item("workers", OK, "no Redis queue configured: jobs run inline after commit (frappe_lite)")]
	from frappe.utils.background_jobs import generate_qname, get_queue_list, get_redis_conn
	from rq import Queue, Worker

	try:
		conn = get_redis_conn()
		conn.ping()
	except Exception as exc:
		return [Item("workers", FAIL, f"Redis queue {frappe.conf.get('redis_queue')} not reachable: {exc}")]
	queue_types = list(get_queue_list())
	names = {generate_qname(q): q for q in queue_types}
	registered = [w for w in Worker.all(connection=conn) if names.keys() & set(w.queue_names())]
	workers = [w for w in registered if _process_alive(w)]
	dead = len(registered) - len(workers)
	items = []
	utc_now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
	if not workers:
		text = (
			f"no RQ worker listens to {', '.join(queue_types)}: start the workers (bench worker / supervisor)"
		)
		if dead:
			text += f" ({dead} registration(s) of dead worker processes)"
		items.append(Item("workers", FAIL, text))
	else:
		stale = [
			w.name
			for w in workers
			if w.last_heartbeat and utc_now - _naive_utc(w.last_heartbeat) > HEARTBEAT_STALE
		]
		served = sorted({names[q] for w in workers for q in w.queue_names() if q in names})
		missing = [q for q in queue_types if q not in served]
		text = f"{len(workers)} worker(s) on {', '.join(served)}"
		if stale:
			items.append(Item("workers", WARN, f"{text}; no heartbeat for 10 min from {', '.join(stale)}"))
		elif missing:
			items.append(Item("workers", WARN, f"{text}; no worker for {', '.join(missing)}"))
		else:
			items.append(Item("workers", OK, text))
	depths, oldest = [], None
	for qname, qtype in names.items():
		queue = Queue(qname, connection=conn)
		count = queue.count
		depths.append(f"{qtype} {count}")
		if count:
			job = queue.fetch_job((queue.get_job_ids(0, 0) or [None])[0] or "")
			if job is not None and job.enqueued_at:
				waited = utc_now - _naive_utc(job.enqueued_at)
				oldest = max(oldest or waited, waited)
	text = "queued: " + ", ".join(depths)
	if oldest and oldest > QUEUE_WAIT_WARN:
		items.append(Item("queues", WARN, f"{text}; oldest waiting {int(oldest.total_seconds() // 60)} min"))
	else:
		items.append(Item("queues", OK, text))
	return items


def _process_alive(worker) -> bool:
	"""A worker registered from this host whose process is gone is dead (RQ keeps its registration until the
	key expires, up to worker_ttl = 420 s); a worker on another host is taken at its word."""
	import os
	import socket

	if not worker.pid or worker.hostname != socket.gethostname():
		return True
	try:
		os.kill(int(worker.pid), 0)
	except ProcessLookupError:
		return False
	except (PermissionError, ValueError):
		return True
	return True


def _naive_utc(moment) -> datetime.datetime:
	if moment.tzinfo is not None:
		moment = moment.astimezone(datetime.timezone.utc).replace(tzinfo=None)
	return moment


# -- callbacks ------------------------------------------------------------------------------------------------


def in_operating_hours(moment, start: datetime.time, end: datetime.time) -> bool:
	"""Whether ``moment``'s time of day is within operating hours (the end may be past midnight; start ==
	end means all day)."""
	t = moment.time()
	if start == end:
		return True
	if start < end:
		return start <= t < end
	return t >= start or t < end


def check_last_callback(now) -> list[Item]:
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	settings = get_settings()
	last = frappe.db.sql(
		f"select max(creation) from `tab{CALLBACK}` where callback_type = %s", (PAYMENT_CALLBACK,)
	)[0][0]
	open_now = in_operating_hours(now, settings.day_start, settings.day_end)
	hours = f"{settings.day_start:%H:%M}-{settings.day_end:%H:%M}"
	if not last:
		return [
			Item(
				"last callback",
				WARN,
				"no payment confirmation received yet: register the C2B URLs and make a test payment",
			)
		]
	age = now - get_datetime(last)
	text = f"last payment confirmation {_ago(last, now)} ({get_datetime(last):%Y-%m-%d %H:%M})"
	if not open_now:
		return [Item("last callback", OK, f"{text}; outside operating hours {hours}")]
	if age > CALLBACK_SILENCE_FAIL:
		return [
			Item(
				"last callback",
				FAIL,
				f"{text}, during operating hours {hours}: does Safaricom still reach the confirmation URL?",
			)
		]
	if age > CALLBACK_SILENCE_WARN:
		return [Item("last callback", WARN, f"{text}, during operating hours {hours}")]
	return [Item("last callback", OK, text)]


def check_pending_callbacks(now) -> list[Item]:
	rows = frappe.db.sql(
		f"select status, count(*), min(creation) from `tab{CALLBACK}` "
		"where status in ('Received', 'Failed', 'Uncaptured') group by status",
	)
	by_status = {status: (int(count), oldest) for status, count, oldest in rows}
	stuck = frappe.db.sql(
		f"select count(*), min(creation) from `tab{CALLBACK}` where status = 'Received' and creation < %s",
		(now - RECEIVED_STUCK,),
	)[0]
	problems, status = [], OK
	if stuck[0]:
		status = FAIL
		problems.append(f"{stuck[0]} stored but not processed (oldest {_ago(stuck[1], now)})")
	if "Failed" in by_status:
		status = FAIL
		count, oldest = by_status["Failed"]
		problems.append(f"{count} Failed, replayable from TukTuk Callback (oldest {_ago(oldest, now)})")
	if "Uncaptured" in by_status:
		status = worst((status, WARN))
		count, oldest = by_status["Uncaptured"]
		problems.append(f"{count} payment(s) Uncaptured wait for a manager (oldest {_ago(oldest, now)})")
	if not problems:
		fresh = by_status.get("Received", (0, None))[0]
		return [Item("callbacks pending", OK, f"none stuck ({fresh} being processed)")]
	return [Item("callbacks pending", status, "; ".join(problems))]


def check_callback_sweep(now) -> list[Item]:
	from tuktuk_management import sweep

	count, names = sweep.unfinished()
	if count:
		more = " ..." if count > len(names) else ""
		return [
			Item(
				"callback sweep",
				FAIL,
				f"{count} confirmation(s) the sweep could not finish after {sweep.MAX_SWEEP_ATTEMPTS} tries "
				f"({', '.join(names)}{more}): see Error Log '{sweep.NOT_SWEPT_TITLE}', fix, then Replay",
			)
		]
	return [
		Item(
			"callback sweep",
			OK,
			f"every confirmation older than {sweep.SWEEP_AFTER_MINUTES} min is finished or being swept",
		)
	]


def check_mpesa_record(now) -> list[Item]:
	from tuktuk_management import paybill_record
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	if not get_settings().mpesa_record_check:
		return [Item("mpesa record", OK, "daily check against M-Pesa's record is off (TukTuk Settings)")]
	differs, failed = paybill_record.last_findings(now)
	if differs:
		return [
			Item(
				"mpesa record",
				FAIL,
				f"the ledger differs from M-Pesa's record of payments: see Error Log '{paybill_record.DIFFERS_TITLE}'",
			)
		]
	if failed:
		return [
			Item(
				"mpesa record",
				FAIL,
				f"the daily check could not run: see Error Log '{paybill_record.FAILED_TITLE}'",
			)
		]
	return [Item("mpesa record", OK, "no difference from M-Pesa's record in the last day")]


# -- payouts --------------------------------------------------------------------------------------------------


def check_payouts(now) -> list[Item]:
	rows = frappe.db.sql(
		f"""select status, count(*), min(coalesce(next_attempt_at, creation)), min(modified)
		from `tab{PAYOUT}` where status in ('Queued', 'Sent', 'Unknown', 'Failed', 'On Hold')
		group by status"""
	)
	by_status = {
		s: (int(c), get_datetime(due) if due else None, get_datetime(mod) if mod else None)
		for s, c, due, mod in rows
	}
	status, problems, notes = OK, [], []
	if "Queued" in by_status:
		count, due, _mod = by_status["Queued"]
		late = now - due if due else datetime.timedelta(0)
		if late > PAYOUT_OVERDUE_FAIL:
			status = FAIL
			problems.append(
				f"{count} Queued, oldest due {_ago(due, now)}: is a worker and the scheduler running?"
			)
		else:
			notes.append(f"{count} queued")
	doubt = [by_status[s] for s in ("Sent", "Unknown") if s in by_status]
	if doubt:
		count = sum(d[0] for d in doubt)
		since = min(d[2] for d in doubt if d[2])
		age = now - since
		text = f"{count} in doubt (Sent/Unknown, oldest {_ago(since, now)}): a status query resolves them"
		if age > PAYOUT_DOUBT_FAIL:
			status = FAIL
			problems.append(text)
		elif age > PAYOUT_DOUBT_WARN:
			status = worst((status, WARN))
			problems.append(text)
		else:
			notes.append(f"{count} awaiting M-Pesa's result")
	if "Failed" in by_status:
		status = worst((status, WARN))
		problems.append(f"{by_status['Failed'][0]} Failed: retry from TukTuk Payout or pay by hand")
	if "On Hold" in by_status:
		notes.append(f"{by_status['On Hold'][0]} on hold for release")
	if problems:
		return [Item("payouts", status, "; ".join(problems + notes))]
	return [Item("payouts", OK, "; ".join(notes) if notes else "nothing queued or in doubt")]


# -- reconciliation -------------------------------------------------------------------------------------------


def check_reconciliation(now) -> list[Item]:
	from tuktuk_management.money import to_money
	from tuktuk_management.reconciliation import balances_against_ledger

	rows = balances_against_ledger(None)
	off = [r for r in rows if to_money(r.balance) != to_money(r.calculated)]
	last = frappe.get_all(
		"Scheduled Job Log",
		filters={"scheduled_job_type": ("like", "%scheduled_reconciliation")},
		fields=["status", "creation"],
		order_by="creation desc",
		limit=1,
	)
	last_text = (
		f"last scheduled run {_ago(last[0].creation, now)} ({last[0].status})"
		if last
		else "no scheduled run yet"
	)
	logged = frappe.db.count(
		"Error Log", {"method": DISCREPANCY_TITLE, "creation": (">", now - DISCREPANCY_LOOKBACK)}
	)
	if off:
		total = sum(abs(to_money(r.balance) - to_money(r.calculated)) for r in off)
		names = ", ".join(r.name for r in off[:5]) + (" ..." if len(off) > 5 else "")
		return [
			Item(
				"reconciliation",
				FAIL,
				f"{len(off)} of {len(rows)} driver balance(s) differ from the ledger by KES {total:,.2f} in total"
				f" ({names}); {last_text}",
			)
		]
	if last and last[0].status == "Failed":
		return [Item("reconciliation", FAIL, f"{last_text}: see Scheduled Job Log")]
	if logged:
		return [
			Item(
				"reconciliation",
				WARN,
				f"{len(rows)} balances match the ledger now, but {logged} '{DISCREPANCY_TITLE}' Error Log(s) in the last day; {last_text}",
			)
		]
	return [Item("reconciliation", OK, f"{len(rows)} balance(s) match the ledger; {last_text}")]


# -- Daraja ---------------------------------------------------------------------------------------------------


def check_daraja_token(now) -> list[Item]:
	from tuktuk_management.connection import check_connection

	verdict = check_connection(fresh=False)
	if verdict.ok:
		return [Item("daraja token", OK, f"a valid token for {verdict.base_url} ({verdict.environment})")]
	if verdict.problem == "not_configured":
		return [Item("daraja token", WARN, verdict.message)]
	return [Item("daraja token", FAIL, verdict.message)]


if __name__ == "__main__":  # pragma: no cover
	sys.exit("run through the bench: bench --site SITE execute tuktuk_management.health.health")
