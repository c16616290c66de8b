"""The bench's background processes serve the site: the RQ worker runs a job enqueued on it (the app's B2C payouts
run there) and the scheduler is on for it (`bench doctor`)."""

import re

from tests.realbench.realbench import bench, readable

ENQUEUE_AND_WAIT = """
import time
job = frappe.enqueue("frappe.ping", queue="short")
for _ in range(120):
    if job.get_status(refresh=True) in ("finished", "failed"):
        break
    time.sleep(0.5)

print("JOB", job.get_status(refresh=True), job.return_value())

"""


def test_worker_runs_a_job_enqueued_on_the_site(facts):
	result = bench("--site", facts["site"], "console", stdin=ENQUEUE_AND_WAIT, timeout=300)
	output = readable(result.stdout)
	assert re.search(r"\bJOB finished pong\b", output, re.M), (
		f"the worker did not run the job:\n{output[-3000:]}"
	)


def test_scheduler_is_on_and_a_worker_online(facts):
	result = bench("--site", facts["site"], "doctor", timeout=120)
	output = readable(result.stdout)
	assert result.returncode == 0, output
	workers = re.search(r"Workers online: (\d+)", output)
	assert workers and int(workers.group(1)) >= 1, output
	for state in ("disabled", "inactive", "paused", "Maintenance mode on"):
		assert not re.search(rf"{state}.* for {re.escape(facts['site'])}\b", output), output


RUN_SWEEP_AS_THE_SCHEDULER_DOES = """
job = frappe.get_doc("Scheduled Job Type", {"method": "tuktuk_management.sweep.sweep_callbacks"})
print("SWEEP", job.frequency, job.cron_format, job.stopped)
job.execute()
frappe.db.commit()
log = frappe.get_all("Scheduled Job Log", filters={"scheduled_job_type": job.name}, fields=["status"],
    order_by="creation desc", limit=1)
print("SWEEPLOG", log[0].status if log else None)
check = frappe.get_doc("Scheduled Job Type", {"method": "tuktuk_management.paybill_record.daily_check"})
print("RECORDCHECK", check.frequency, check.cron_format)
"""


def test_the_callback_sweep_is_scheduled_and_runs(facts):
	"""hooks.py's sweep (every 5 minutes) is registered by migrate and runs as the scheduler runs it."""
	result = bench("--site", facts["site"], "console", stdin=RUN_SWEEP_AS_THE_SCHEDULER_DOES, timeout=300)
	output = readable(result.stdout)
	assert re.search(r"\bSWEEP Cron \*/5 \* \* \* \* 0$", output, re.M), output[-3000:]
	assert re.search(r"\bSWEEPLOG Complete$", output, re.M), output[-3000:]
	assert re.search(r"\bRECORDCHECK Cron 30 6 \* \* \*$", output, re.M), output[-3000:]
