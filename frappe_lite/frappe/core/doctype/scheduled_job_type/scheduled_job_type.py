# Scheduled Job Type, following frappe/core/doctype/scheduled_job_type/scheduled_job_type.py (v15).
#
# One difference on purpose: before a due job is enqueued its slot is claimed with a conditional UPDATE of
# `last_execution` (see claim_slot), so that two scheduler processes running at once fire it exactly once. Frappe
# avoids the race differently (a file lock lets only one scheduler run per bench, plus RQ job-id dedup).
import hashlib
import logging
from datetime import datetime, timedelta

from croniter import croniter

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import get_datetime, now_datetime
from frappe.utils.background_jobs import enqueue, is_job_enqueued

logger = logging.getLogger("frappe.scheduler")

DATETIME_FORMAT = "%Y-%m-%d %H:%M:%S.%f"


class ScheduledJobType(Document):
	# begin: field types
	# create_log: Check
	# cron_format: Data | None
	# frequency: Select "All" | "Hourly" | "Hourly Long" | ... | "Cron" | "Yearly" | "Annual"
	# last_execution: Datetime | None
	# method: Data
	# server_script: Data | None (no Server Script DocType in frappe_lite)
	# stopped: Check
	# end: field types

	def autoname(self):
		self.name = ".".join(self.method.split(".")[-2:])

	def validate(self):
		if self.frequency != "All":
			# force logging for all events other than continuous ones (ALL)
			self.create_log = 1

		if self.frequency == "Cron":
			if not self.cron_format:
				frappe.throw(_("Cron format is required for job types with Cron frequency."))
			if not croniter.is_valid(self.cron_format):
				frappe.throw(
					_("{0} is not a valid Cron expression.").format(f"<code>{self.cron_format}</code>"),
					title=_("Bad Cron Expression"),
				)

	def enqueue(self, force=False) -> bool:
		"""Enqueue run_scheduled_job if the event is due (or `force`); True if it was enqueued."""
		if not (force or self.is_event_due()):
			return False
		if self.is_job_in_queue():
			logger.error(
				f"Skipped queueing {self.method} because it was found in queue for {frappe.local.site}"
			)
			return False
		if not force and not self.claim_slot():
			# another scheduler claimed this slot first
			return False
		enqueue(
			"frappe.core.doctype.scheduled_job_type.scheduled_job_type.run_scheduled_job",
			queue=self.get_queue_name(),
			job_type=self.method,
			job_id=self.rq_job_id,
			enqueue_after_commit=True,
		)
		# the claim and the dispatch stand together: the job is sent (or run inline) once this commits
		frappe.db.commit()
		return True

	def claim_slot(self) -> bool:
		"""Atomically move last_execution past the due slot; True for exactly one of several racing schedulers.

		The UPDATE only matches while last_execution (or creation, on a cold start) is still before the slot, and
		both backends serialise writers on the row, so a second claimant finds no row to update."""
		slot = self.get_next_execution()
		claimed_at = max(now_datetime(), slot)
		frappe.db.sql(
			"""update `tabScheduled Job Type` set last_execution=%s
			where name=%s and coalesce(last_execution, creation) < %s""",
			(claimed_at.strftime(DATETIME_FORMAT), self.name, slot.strftime(DATETIME_FORMAT)),
		)
		claimed = _rows_affected() == 1
		if claimed:
			self.last_execution = claimed_at
		else:
			frappe.db.rollback()
		return claimed

	def is_event_due(self, current_time=None):
		"""Return true if event is due based on time lapsed since last execution"""
		# if the next scheduled event is before NOW, then its due!
		return self.get_next_execution() <= (current_time or now_datetime())

	def is_job_in_queue(self) -> bool:
		return is_job_enqueued(self.rq_job_id)

	@property
	def rq_job_id(self):
		"""Unique ID created to deduplicate jobs with single RQ call."""
		return f"scheduled_job::{self.method}"

	@property
	def next_execution(self):
		return self.get_next_execution()

	def get_cron_format(self) -> str:
		cron_map = {
			"Yearly": "0 0 1 1 *",
			"Annual": "0 0 1 1 *",
			"Monthly": "0 0 1 * *",
			"Monthly Long": "0 0 1 * *",
			"Weekly": "0 0 * * 0",
			"Weekly Long": "0 0 * * 0",
			"Daily": "0 0 * * *",
			"Daily Long": "0 0 * * *",
			"Daily Maintenance": "0 0 * * *",
			"Hourly": "0 * * * *",
			"Hourly Long": "0 * * * *",
			"Hourly Maintenance": "0 * * * *",
			"All": f"*/{(frappe.conf.get('scheduler_interval') or 240) // 60} * * * *",
		}
		return self.cron_format or cron_map.get(self.frequency)

	def get_next_execution(self) -> datetime:
		# If this is a cold start then last_execution will not be set.
		# Creation is set as fallback because if very old fallback is set job might trigger
		# immediately, even when it's meant to be daily.
		last_execution = get_datetime(self.last_execution or self.creation)
		next_execution = croniter(self.get_cron_format(), last_execution).get_next(datetime)
		if self.frequency in ("Hourly Maintenance", "Daily Maintenance"):
			# maintenance jobs run at a site-specific minute so that sites of a bench do not all run at once
			next_execution += timedelta(
				minutes=int(hashlib.sha1(frappe.local.site.encode()).hexdigest(), 16) % 60
			)
		return next_execution

	def execute(self):
		self.scheduler_log = None
		try:
			self.log_status("Start")
			frappe.get_attr(self.method)()
			# the job's work is done: keep it
			frappe.db.commit()
			self.log_status("Complete")
		except Exception:
			frappe.db.rollback()
			self.log_status("Failed")

	def log_status(self, status):
		logger.info(f"Scheduled Job {status}: {self.method} for {frappe.local.site}")
		self.update_scheduler_log(status)

	def update_scheduler_log(self, status):
		if not self.create_log:
			# self.get_next_execution will work properly iff self.last_execution is properly set
			self.db_set("last_execution", now_datetime(), update_modified=False)
			# the run is recorded even if the job later fails
			frappe.db.commit()
			return
		if not self.scheduler_log:
			self.scheduler_log = frappe.get_doc(
				dict(doctype="Scheduled Job Log", scheduled_job_type=self.name)
			).insert(ignore_permissions=True)
		self.scheduler_log.db_set("status", status)
		if status == "Failed":
			self.scheduler_log.db_set("details", frappe.get_traceback(with_context=True))
		if status == "Start":
			self.db_set("last_execution", now_datetime(), update_modified=False)
		# each status change of the log is visible at once, whatever the job does next
		frappe.db.commit()

	def get_queue_name(self):
		return "long" if ("Long" in self.frequency or "Maintenance" in self.frequency) else "default"

	def on_trash(self):
		frappe.db.delete("Scheduled Job Log", {"scheduled_job_type": self.name})


def _rows_affected() -> int:
	"""Rows changed by the last statement on this connection (DB-API rowcount)."""
	return frappe.db._cursor.rowcount


def run_scheduled_job(job_type: str):
	"""This is a wrapper function that runs a hooks.scheduler_events method"""
	if frappe.conf.get("maintenance_mode"):
		raise frappe.InReadOnlyMode("Scheduled jobs can't run in maintenance mode.")
	try:
		frappe.get_doc("Scheduled Job Type", dict(method=job_type)).execute()
	except Exception:
		print(frappe.get_traceback())


def sync_jobs(hooks: dict | None = None):
	"""Create or update one Scheduled Job Type per `scheduler_events` method, and delete the stale ones."""
	scheduler_events = hooks if hooks is not None else frappe.get_hooks("scheduler_events")
	all_events = insert_events(scheduler_events or {})
	clear_events(all_events)


# On a bench, frappe's own scheduler_events come first in the merged hook, so its keys set the order in which
# the event types are synced (a method listed under two of them ends with the later one's frequency).
V15_EVENT_ORDER = ("cron", "all", "hourly", "daily", "daily_long", "weekly_long", "monthly", "monthly_long")


def insert_events(scheduler_events: dict) -> list:
	cron_jobs, event_jobs = [], []
	ordered = [k for k in V15_EVENT_ORDER if k in scheduler_events]
	ordered += [k for k in scheduler_events if k not in V15_EVENT_ORDER]
	for event_type in ordered:
		events = scheduler_events.get(event_type)
		if isinstance(events, dict):
			cron_jobs += insert_cron_jobs(events)
		else:
			# hourly, daily etc
			event_jobs += insert_event_jobs(events, event_type)
	return cron_jobs + event_jobs


def insert_cron_jobs(events: dict) -> list:
	cron_jobs = []
	for cron_format in events:
		for event in events.get(cron_format):
			cron_jobs.append(event)
			insert_single_event("Cron", event, cron_format)
	return cron_jobs


def insert_event_jobs(events: list, event_type: str) -> list:
	event_jobs = []
	for event in events:
		event_jobs.append(event)
		frequency = event_type.replace("_", " ").title()
		insert_single_event(frequency, event)
	return event_jobs


def insert_single_event(frequency: str, event: str, cron_format: str | None = None):
	try:
		frappe.get_attr(event)
	except Exception as e:
		import click

		click.secho(f"{event} is not a valid method: {e}", fg="yellow", err=True)

	if job_name := frappe.db.exists("Scheduled Job Type", {"method": event}):
		doc = frappe.get_doc("Scheduled Job Type", job_name)
		# Update only frequency and cron_format fields if they are different
		# Maintain existing values of other fields
		if doc.frequency != frequency or (doc.cron_format or None) != (cron_format or None):
			doc.cron_format = cron_format
			doc.frequency = frequency
			doc.save()
	else:
		frappe.get_doc(
			{
				"doctype": "Scheduled Job Type",
				"method": event,
				"cron_format": cron_format,
				"frequency": frequency,
			}
		).insert()


def clear_events(all_events: list):
	for event in frappe.get_all("Scheduled Job Type", fields=["name", "method", "server_script"]):
		if not (event.method in all_events or event.server_script):
			frappe.delete_doc("Scheduled Job Type", event.name)
