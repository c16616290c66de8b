"""scheduler_events -> Scheduled Job Type (sync_jobs), due logic, exactly-once firing with racing schedulers,
Scheduled Job Log, trigger-scheduler-event, on SQLite and MariaDB."""

import os
import subprocess
import sys
import threading
import time

import frappe
import pytest
from frappe.utils import add_to_date, now_datetime
from frappe.utils.scheduler import sync_jobs

JOBS = "fixture_app.jobs"
YEARLY = f"{JOBS}.yearly_cron"


def popen(site, *args):
	"""Start `frappe-lite --sites-path P --site S *args` without waiting for it."""
	frappe_lite = os.path.join(os.path.dirname(sys.executable), "frappe-lite")
	return subprocess.Popen(
		[frappe_lite, "--sites-path", site.sites_path, "--site", site.name, *args],
		stdout=subprocess.PIPE,
		stderr=subprocess.PIPE,
		text=True,
		env=site.env(),
	)


def job_types():
	return {
		j.method: (j.frequency, j.cron_format)
		for j in frappe.get_all("Scheduled Job Type", fields=["method", "frequency", "cron_format"])
	}


def count_notes(title):
	return frappe.db.count("Fixture Note", {"title": title})


def make_due(site, method=YEARLY):
	"""Put the job's last execution a year and a day back: exactly one slot is due."""
	with site.connect():
		name = frappe.db.get_value("Scheduled Job Type", {"method": method})
		frappe.db.set_value(
			"Scheduled Job Type",
			name,
			"last_execution",
			add_to_date(now_datetime(), days=-367),
			update_modified=False,
		)
		frappe.db.commit()


def logs(site, method=YEARLY):
	with site.connect():
		name = frappe.db.get_value("Scheduled Job Type", {"method": method})
		return frappe.get_all(
			"Scheduled Job Log", filters={"scheduled_job_type": name}, fields=["status", "details"]
		)


def test_sync_jobs_on_install_and_resync(fixture_site):
	site = fixture_site()
	with site.connect():
		assert job_types() == {
			YEARLY: ("Cron", "0 0 1 1 *"),
			f"{JOBS}.daily_job": ("Daily", None),
			f"{JOBS}.hourly_long_job": ("Hourly Long", None),
		}
		assert frappe.db.exists("Scheduled Job Type", "jobs.yearly_cron")

		sync_jobs({"cron": {"*/5 * * * *": [YEARLY]}, "weekly_long": [f"{JOBS}.daily_job"]})
		assert job_types() == {YEARLY: ("Cron", "*/5 * * * *"), f"{JOBS}.daily_job": ("Weekly Long", None)}

		with pytest.raises(frappe.ValidationError):
			sync_jobs({"cron": {"61 * * * *": [YEARLY]}})
		frappe.db.commit()

	# migrate syncs them back to the app's hooks
	site.cli("migrate")
	with site.connect():
		assert job_types()[YEARLY] == ("Cron", "0 0 1 1 *")
		assert job_types()[f"{JOBS}.hourly_long_job"] == ("Hourly Long", None)


def test_due_logic(fixture_site):
	site = fixture_site()
	with site.connect():
		job = frappe.get_doc("Scheduled Job Type", {"method": f"{JOBS}.daily_job"})
		job.last_execution = "2026-01-01 10:00:00"
		assert str(job.get_next_execution()) == "2026-01-02 00:00:00"
		assert job.is_event_due(current_time=frappe.utils.get_datetime("2026-01-02 00:00:00"))
		assert not job.is_event_due(current_time=frappe.utils.get_datetime("2026-01-01 23:59:59"))
		assert job.get_queue_name() == "default"
		assert (
			frappe.get_doc("Scheduled Job Type", {"method": f"{JOBS}.hourly_long_job"}).get_queue_name()
			== "long"
		)


def test_slot_claim_is_atomic_across_connections(fixture_site):
	"""Two connections read the same due job; both try to claim it while the first holds its claim open."""
	site = fixture_site()
	make_due(site)
	both_loaded = threading.Barrier(2)
	claims = []

	def claim():
		frappe.init(site.name, sites_path=site.sites_path)
		frappe.connect()
		try:
			job = frappe.get_doc("Scheduled Job Type", {"method": YEARLY})
			assert job.is_event_due()
			both_loaded.wait(timeout=10)
			claims.append(job.claim_slot())
			time.sleep(0.3)  # the winner holds its uncommitted claim while the other waits on the row
			frappe.db.commit()
		finally:
			frappe.destroy()

	threads = [threading.Thread(target=claim) for _ in range(2)]
	for t in threads:
		t.start()
	for t in threads:
		t.join(timeout=30)
	assert sorted(claims) == [False, True]


def test_two_run_due_jobs_processes_fire_a_due_job_once(fixture_site):
	site = fixture_site()
	assert site.cli("enable-scheduler").returncode == 0
	for _round in range(2):
		make_due(site)
		procs = [popen(site, "run-due-jobs") for _ in range(3)]
		outs = [p.communicate(timeout=60) for p in procs]
		assert all(p.returncode == 0 for p in procs), outs
		assert sum(out.count(YEARLY) for out, _err in outs) == 1, outs
	with site.connect():
		assert count_notes("yearly_cron") == 2
	assert [log.status for log in logs(site)] == ["Complete", "Complete"]

	# not due any more: nothing runs
	result = site.cli("run-due-jobs")
	assert result.returncode == 0 and YEARLY not in result.stdout


def test_two_schedule_processes_fire_a_due_job_once(fixture_site):
	site = fixture_site()
	assert site.cli("enable-scheduler").returncode == 0
	make_due(site)
	procs = [popen(site, "schedule", "--tick", "0.2") for _ in range(2)]
	try:
		deadline = time.monotonic() + 20
		while time.monotonic() < deadline and not logs(site):
			time.sleep(0.2)
		time.sleep(1.0)  # five more ticks each: a second firing would show now
	finally:
		for p in procs:
			p.terminate()
		for p in procs:
			try:
				p.wait(timeout=10)
			except subprocess.TimeoutExpired:
				p.kill()
	assert [log.status for log in logs(site)] == ["Complete"]
	with site.connect():
		assert count_notes("yearly_cron") == 1


def test_disabled_scheduler_runs_nothing(fixture_site):
	site = fixture_site()
	assert site.cli("disable-scheduler").returncode == 0
	make_due(site)
	result = site.cli("run-due-jobs")
	assert result.returncode == 0 and "disabled" in result.stderr
	assert logs(site) == []


def test_failing_scheduled_job_logs_failed_and_rolls_back(fixture_site):
	site = fixture_site()
	with site.connect():
		sync_jobs({"cron": {"0 0 1 1 *": [YEARLY, f"{JOBS}.failing_scheduled_job"]}})
		frappe.db.commit()
	site.cli("enable-scheduler")
	make_due(site, f"{JOBS}.failing_scheduled_job")
	result = site.cli("run-due-jobs")
	assert result.returncode == 0, result.stderr
	[log] = logs(site, f"{JOBS}.failing_scheduled_job")
	assert log.status == "Failed" and "scheduled job failed" in log.details
	with site.connect():
		assert count_notes("failing_scheduled_job") == 0


def test_trigger_scheduler_event(fixture_site):
	site = fixture_site()
	result = site.cli("trigger-scheduler-event", YEARLY)
	assert result.returncode == 0 and YEARLY in result.stdout, result.stderr
	result = site.cli("trigger-scheduler-event", "hourly_long")
	assert result.returncode == 0 and f"{JOBS}.hourly_long_job" in result.stdout
	result = site.cli("trigger-scheduler-event", "no.such.event", check=False)
	assert result.returncode == 1 and "Event no.such.event does not exist!" in result.stderr
	with site.connect():
		assert count_notes("yearly_cron") == 1 and count_notes("hourly_long_job") == 1
	assert [log.status for log in logs(site)] == ["Complete"]


def test_due_job_goes_to_rq_and_a_worker_runs_it(fixture_site, redis_url):
	site = fixture_site(redis_queue=redis_url)
	site.cli("enable-scheduler")
	make_due(site)
	result = site.cli("run-due-jobs")
	assert result.returncode == 0 and YEARLY in result.stdout
	assert site.cli("run-due-jobs").stdout.strip() == "", "claimed: not due again"
	with site.connect():
		assert count_notes("yearly_cron") == 0, "queued, not run"
	assert site.cli("worker", "--burst", "--quiet").returncode == 0
	with site.connect():
		assert count_notes("yearly_cron") == 1
	assert [log.status for log in logs(site)] == ["Complete"]
