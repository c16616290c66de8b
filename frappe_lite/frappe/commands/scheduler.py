# Scheduler and worker commands, following frappe/commands/scheduler.py (v15), plus a one-shot `run-due-jobs`.
import click

import frappe
from frappe.commands import pass_context
from frappe.commands.utils import connected, error_line, fail, require_site


@click.command("worker")
@click.option(
	"--queue", type=str, help="Queues to consume, comma separated (short,default,long); all by default."
)
@click.option("--quiet", is_flag=True, default=False, help="Hide Log Outputs")
@click.option(
	"--burst", is_flag=True, default=False, help="Run Worker in Burst mode (exit when the queues are empty)."
)
@pass_context
def start_worker(context, queue=None, quiet=False, burst=False):
	"""Start an RQ background worker for this bench's Redis queue (redis_queue in the site or common config)."""
	from frappe.utils.background_jobs import start_worker

	site = require_site(context) if context.sites else None
	try:
		start_worker(queue, quiet=quiet, burst=burst, sites_path=context.sites_path, site=site)
	except Exception as e:
		fail(error_line(e))


@click.command("schedule")
@click.option(
	"--tick", type=float, default=None, help="Seconds between ticks (default: scheduler_tick_interval or 60)"
)
@pass_context
def start_scheduler(context, tick=None):
	"""Start the scheduler: every tick, enqueue the due Scheduled Job Types of the site (or of every site)."""
	from frappe.utils.scheduler import start_scheduler

	sites = [require_site(context)] if context.sites else None
	try:
		start_scheduler(sites_path=context.sites_path, sites=sites, tick=tick)
	except KeyboardInterrupt:
		pass


@click.command("run-due-jobs")
@pass_context
def run_due_jobs(context):
	"""One scheduler tick for the site: enqueue (or, without Redis, run) every job that is due, then exit."""
	from frappe.utils.scheduler import enqueue_events, is_scheduler_inactive

	with connected(context) as site:
		if is_scheduler_inactive(verbose=False):
			click.echo(f"Scheduler is disabled for site {site}; enable it with enable-scheduler", err=True)
			return
		try:
			enqueued = enqueue_events(site=site)
		except Exception as e:
			fail(error_line(e))
	for method in enqueued:
		click.echo(method)


@click.command("trigger-scheduler-event", help="Trigger a scheduler event")
@click.argument("event")
@pass_context
def trigger_scheduler_event(context, event):
	"""Run a Scheduled Job Type now (EVENT is its method, or a frequency such as daily or hourly_long)."""
	from frappe.utils.scheduler import trigger_event

	with connected(context):
		try:
			methods = trigger_event(event)
		except frappe.DoesNotExistError:
			fail(f"Event {event} does not exist!")
	for method in methods:
		click.echo(method)


def _toggle(context, enable: bool):
	from frappe.utils.scheduler import toggle_scheduler

	with connected(context) as site:
		toggle_scheduler(enable)
		# a site setting: it stands on its own
		frappe.db.commit()
	print("Enabled for" if enable else "Disabled for", site)


@click.command("enable-scheduler")
@pass_context
def enable_scheduler(context):
	"Enable scheduler"
	_toggle(context, True)


@click.command("disable-scheduler")
@pass_context
def disable_scheduler(context):
	"Disable scheduler"
	_toggle(context, False)


commands = [
	disable_scheduler,
	enable_scheduler,
	run_due_jobs,
	start_scheduler,
	start_worker,
	trigger_scheduler_event,
]
