# The scheduler, following frappe/utils/scheduler.py (v15).
#
# `schedule` ticks every `scheduler_tick_interval` seconds (default 60) and, for each site, enqueues the Scheduled
# Job Types that are due (ScheduledJobType.enqueue claims the slot first, so several schedulers may run at once).
# With Redis the jobs go to RQ for `frappe-lite worker`; without, each runs inline right after its claim commits.
# Left out: Frappe's scheduler file lock (the claim replaces it) and the dormant-site check (no Activity Log here).
import logging
import os
import random
import time

import frappe
from frappe.utils import cint

logger = logging.getLogger("frappe.scheduler")


def start_scheduler(sites_path: str | None = None, sites: list[str] | None = None, tick: float | None = None):
	"""Run enqueue_events_for_all_sites every tick, forever."""
	while True:
		tick = tick or get_scheduler_tick(sites_path)
		time.sleep(tick)
		enqueue_events_for_all_sites(sites_path, sites)


def enqueue_events_for_all_sites(sites_path: str | None = None, sites: list[str] | None = None) -> None:
	"""Loop through sites and enqueue events that are not already queued"""
	sites = list(sites or get_sites(sites_path))
	# Sites are sorted in alphabetical order, shuffle to randomize priorities
	random.shuffle(sites)
	for site in sites:
		try:
			enqueue_events_for_site(site=site, sites_path=sites_path)
		except Exception:
			logger.debug(f"Failed to enqueue events for site: {site}", exc_info=True)


def enqueue_events_for_site(site: str, sites_path: str | None = None) -> list[str] | None:
	try:
		frappe.init(site=site, sites_path=sites_path)
		frappe.connect()
		if is_scheduler_inactive():
			return None
		return enqueue_events(site=site)
	except Exception:
		logger.error(f"Exception in Enqueue Events for Site {site}", exc_info=True)
		raise
	finally:
		frappe.destroy()


def enqueue_events(site: str | None = None) -> list[str]:
	"""Enqueue every due, not stopped Scheduled Job Type of the connected site; return their methods."""
	from croniter import CroniterBadCronError

	enqueued_jobs = []
	all_jobs = frappe.get_all("Scheduled Job Type", filters={"stopped": 0}, fields="*")
	random.shuffle(all_jobs)
	for job_type in all_jobs:
		job_type = frappe.get_doc(doctype="Scheduled Job Type", **job_type)
		try:
			if job_type.enqueue():
				enqueued_jobs.append(job_type.method)
		except CroniterBadCronError:
			logger.error(f"Invalid Job on {frappe.local.site} - {job_type.name}", exc_info=True)
	return enqueued_jobs


def trigger_event(event: str) -> list[str]:
	"""Run a scheduler event now, in this process: a Scheduled Job Type's method, or every job of a frequency
	("daily", "hourly_long", "all", ...). Returns the methods run; raises DoesNotExistError if none matches."""
	if name := frappe.db.exists("Scheduled Job Type", {"method": event}):
		jobs = [name]
	else:
		frequency = event.replace("_", " ").title()
		jobs = frappe.get_all(
			"Scheduled Job Type", filters={"frequency": frequency}, pluck="name", order_by="name asc"
		)
	if not jobs:
		raise frappe.DoesNotExistError(f"Event {event} does not exist!")
	methods = []
	for name in jobs:
		job_type = frappe.get_doc("Scheduled Job Type", name)
		job_type.execute()
		methods.append(job_type.method)
	return methods


def sync_jobs(hooks: dict | None = None):
	"""Sync `scheduler_events` hooks into Scheduled Job Type rows (installer: after install-app and migrate)."""
	from frappe.core.doctype.scheduled_job_type.scheduled_job_type import sync_jobs as _sync_jobs

	_sync_jobs(hooks)


def is_scheduler_inactive(verbose=False) -> bool:
	if frappe.local.conf.get("maintenance_mode"):
		if verbose:
			print(f"{frappe.local.site}: Maintenance mode is ON")
		return True
	if frappe.local.conf.get("pause_scheduler"):
		if verbose:
			print(f"{frappe.local.site}: frappe.conf.pause_scheduler is SET")
		return True
	return is_scheduler_disabled(verbose=verbose)


def is_scheduler_disabled(verbose=False) -> bool:
	if frappe.conf.get("disable_scheduler"):
		if verbose:
			print(f"{frappe.local.site}: frappe.conf.disable_scheduler is SET")
		return True
	scheduler_disabled = not cint(frappe.db.get_single_value("System Settings", "enable_scheduler"))
	if scheduler_disabled and verbose:
		print(f"{frappe.local.site}: SystemSettings.enable_scheduler is UNSET")
	return scheduler_disabled


def toggle_scheduler(enable):
	frappe.db.set_single_value("System Settings", "enable_scheduler", int(enable))


def enable_scheduler():
	toggle_scheduler(True)


def disable_scheduler():
	toggle_scheduler(False)


def get_scheduler_tick(sites_path: str | None = None) -> float:
	"""`scheduler_tick_interval` seconds from common_site_config (Frappe's default 60)."""
	from frappe.utils.background_jobs import read_config

	conf = read_config(sites_path)
	try:
		return float(conf.get("scheduler_tick_interval") or 60)
	except (TypeError, ValueError):
		return 60.0


def get_sites(sites_path: str | None = None) -> list[str]:
	"""Every folder of sites_path holding a site_config.json."""
	sites_path = sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	if not os.path.isdir(sites_path):
		return []
	return sorted(
		name
		for name in os.listdir(sites_path)
		if os.path.exists(os.path.join(sites_path, name, "site_config.json"))
	)
