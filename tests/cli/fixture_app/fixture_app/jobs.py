# Functions the job, scheduler and CLI tests enqueue, schedule or execute.
import os

import frappe
from frappe.exceptions import QueryDeadlockError


def write_note(title, value=0):
	frappe.get_doc({"doctype": "Fixture Note", "title": title, "value": value}).insert(
		ignore_permissions=True
	)
	return title


def write_then_fail(title):
	write_note(title)
	raise ValueError(f"job failed after writing {title}")


def deadlock_once(title, marker):
	"""Raise a deadlock on the first attempt (counted in the `marker` file), then write a note."""
	attempts = int(open(marker).read()) if os.path.exists(marker) else 0
	with open(marker, "w") as f:
		f.write(str(attempts + 1))
	write_note(title, value=attempts + 1)
	if attempts == 0:
		raise QueryDeadlockError("simulated deadlock")


def echo(*args, **kwargs):
	return {"args": list(args), "kwargs": kwargs, "user": frappe.session.user}


def yearly_cron():
	write_note("yearly_cron")


def daily_job():
	write_note("daily_job")


def hourly_long_job():
	write_note("hourly_long_job")


def before_tests():
	write_note("made by before_tests")
	# before_tests data is the baseline the test cases start from
	frappe.db.commit()


def failing_scheduled_job():
	write_note("failing_scheduled_job")
	raise ValueError("scheduled job failed")


def lock_two_notes(first, second, barrier_dir):
	"""Lock note `first`, wait until the other job holds `second`, then lock and bump `second`: two of these with
	swapped arguments deadlock on MariaDB. Attempts are counted in barrier_dir/attempts-<first>."""
	import time

	counter = os.path.join(barrier_dir, f"attempts-{first}")
	attempts = int(open(counter).read()) if os.path.exists(counter) else 0
	with open(counter, "w") as f:
		f.write(str(attempts + 1))

	frappe.get_doc("Fixture Note", first, for_update=True)
	open(os.path.join(barrier_dir, f"locked-{first}"), "w").close()
	deadline = time.monotonic() + 10
	while not os.path.exists(os.path.join(barrier_dir, f"locked-{second}")) and time.monotonic() < deadline:
		time.sleep(0.02)
	doc = frappe.get_doc("Fixture Note", second, for_update=True)
	doc.db_set("value", doc.value + 1)
