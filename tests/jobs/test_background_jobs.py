"""frappe.enqueue and execute_job on SQLite and MariaDB: inline after commit without Redis, RQ + a real
`frappe-lite worker --burst` process with Redis."""

import os
import subprocess
import sys

import frappe
import pytest
from frappe.utils.background_jobs import enqueue

JOBS = "fixture_app.jobs"


def notes(title):
	return frappe.get_all("Fixture Note", filters={"title": title}, fields=["title", "value", "made_by"])


def error_logs(method):
	return frappe.get_all("Error Log", filters={"method": method}, fields=["method", "error"])


class TestInlineAfterCommit:
	"""Without redis_queue a job runs in this process right after the enqueuing commit, in its own transaction."""

	def test_runs_after_commit_as_the_enqueuing_user_and_not_after_rollback(self, fixture_site):
		site = fixture_site()
		with site.connect():
			dropped = enqueue(f"{JOBS}.write_note", title="dropped")
			frappe.db.rollback()
			frappe.db.commit()
			assert notes("dropped") == [] and dropped.get_status() == "canceled"

			frappe.set_user("Guest")
			job = enqueue(f"{JOBS}.write_note", title="kept", value=7)
			assert job.id.startswith(f"{site.name}::")
			assert notes("kept") == [], "nothing runs before the commit"
			assert job.get_status() == "queued"
			frappe.db.commit()
			assert job.get_status() == "finished"
			assert notes("kept") == [{"title": "kept", "value": 7, "made_by": "Guest"}]

	def test_failure_rolls_back_the_job_and_writes_an_error_log(self, fixture_site):
		site = fixture_site()
		with site.connect():
			enqueue(f"{JOBS}.write_note", title="before")
			enqueue(f"{JOBS}.write_then_fail", title="failed job")
			enqueue(f"{JOBS}.write_note", title="after")
			frappe.db.commit()  # the enqueuer never sees the job's exception
			assert notes("failed job") == []
			assert len(notes("before")) == len(notes("after")) == 1
			[log] = error_logs(f"{JOBS}.write_then_fail")
			assert "job failed after writing failed job" in log.error

	def test_deadlock_is_retried(self, fixture_site, tmp_path):
		site = fixture_site()
		marker = str(tmp_path / "attempts")
		with site.connect():
			enqueue(f"{JOBS}.deadlock_once", title="retried", marker=marker)
			frappe.db.commit()
			assert open(marker).read() == "2"
			# the first attempt's write was rolled back, the second one kept
			assert [n.value for n in notes("retried")] == [2]
			assert error_logs(f"{JOBS}.deadlock_once") == []

	def test_deduplicate_now_and_enqueue_after_commit(self, fixture_site):
		site = fixture_site()
		with site.connect():
			with pytest.raises(frappe.ValidationError):
				enqueue(f"{JOBS}.write_note", title="x", deduplicate=True)
			assert enqueue(f"{JOBS}.write_note", title="dedup", job_id="one", deduplicate=True)
			assert enqueue(f"{JOBS}.write_note", title="dedup", job_id="one", deduplicate=True) is None
			assert enqueue(f"{JOBS}.write_note", title="later", enqueue_after_commit=True) is None
			# now=True calls the method at once and commits nothing
			assert enqueue(f"{JOBS}.write_note", title="now", now=True) == "now"
			assert len(notes("now")) == 1
			# so does is_async=False outside tests
			assert enqueue(f"{JOBS}.write_note", title="sync", is_async=False) == "sync"
			frappe.db.rollback()
			assert notes("now") == notes("sync") == notes("dedup") == notes("later") == []

			# in tests is_async=False runs the job at once through execute_job, which commits (an RQ sync queue)
			frappe.flags.in_test = True
			enqueue(f"{JOBS}.write_note", title="sync in test", is_async=False)
			frappe.db.rollback()
			frappe.flags.in_test = False
			assert len(notes("sync in test")) == 1

			enqueue(f"{JOBS}.write_note", title="dedup", job_id="one", deduplicate=True)
			enqueue(f"{JOBS}.write_note", title="dedup", job_id="one", deduplicate=True)
			enqueue(f"{JOBS}.write_note", title="later", enqueue_after_commit=True)
			frappe.db.commit()
			assert len(notes("dedup")) == 1 and len(notes("later")) == 1

			with pytest.raises(frappe.ValidationError, match="Queue should be one of"):
				enqueue(f"{JOBS}.write_note", queue="nope", title="x")

	def test_enqueue_doc(self, fixture_site):
		site = fixture_site()
		with site.connect():
			doc = frappe.get_doc({"doctype": "Fixture Note", "title": "doc", "value": 1}).insert()
			frappe.enqueue_doc("Fixture Note", doc.name, "db_set", fieldname="value", value=5)
			frappe.db.commit()
			assert notes("doc")[0].value == 5


class TestRQ:
	"""With redis_queue the job goes to RQ and a separate `frappe-lite worker --burst` process runs it."""

	def test_worker_runs_jobs_with_frappe_semantics(self, fixture_site, redis_url):
		from frappe.utils.background_jobs import get_queue
		from rq import Queue

		site = fixture_site(redis_queue=redis_url)
		with site.connect():
			frappe.set_user("Guest")
			job = enqueue(f"{JOBS}.write_note", queue="short", title="rq ok", job_id="ok-1")
			assert job.id == f"{site.name}::ok-1"
			enqueue(f"{JOBS}.write_then_fail", queue="long", title="rq failed")
			enqueue(f"{JOBS}.write_note", title="rq dedup", job_id="d", deduplicate=True)
			assert enqueue(f"{JOBS}.write_note", title="rq dedup", job_id="d", deduplicate=True) is None
			enqueue(f"{JOBS}.write_note", title="rq after commit", enqueue_after_commit=True)
			q = get_queue("default")
			assert isinstance(q, Queue) and q.count == 1, "after-commit job waits for the commit"
			frappe.db.commit()
			assert q.count == 2

		result = site.cli("worker", "--burst", "--quiet")
		assert result.returncode == 0, result.stderr

		with site.connect():
			assert notes("rq ok") == [{"title": "rq ok", "value": 0, "made_by": "Guest"}]
			assert len(notes("rq dedup")) == 1 and len(notes("rq after commit")) == 1
			assert notes("rq failed") == []
			assert len(error_logs(f"{JOBS}.write_then_fail")) == 1
			assert get_queue("long").failed_job_registry.count == 1

	def test_worker_deadlock_retry(self, fixture_site, redis_url, tmp_path):
		site = fixture_site(redis_queue=redis_url)
		marker = str(tmp_path / "attempts")
		with site.connect():
			enqueue(f"{JOBS}.deadlock_once", title="rq retried", marker=marker)
			frappe.db.commit()
		result = site.cli("worker", "--burst", "--queue", "default", "--quiet")
		assert result.returncode == 0, result.stderr
		assert open(marker).read() == "2"
		with site.connect():
			assert [n.value for n in notes("rq retried")] == [2]

	def test_real_deadlock_between_two_workers_is_retried(self, fixture_site, redis_url, tmp_path):
		site = fixture_site(redis_queue=redis_url)
		if site.backend == "sqlite":
			pytest.skip("SQLite serialises writers: two jobs cannot deadlock")
		with site.connect():
			a = frappe.get_doc({"doctype": "Fixture Note", "title": "a"}).insert().name
			b = frappe.get_doc({"doctype": "Fixture Note", "title": "b"}).insert().name
			enqueue(f"{JOBS}.lock_two_notes", first=a, second=b, barrier_dir=str(tmp_path))
			enqueue(f"{JOBS}.lock_two_notes", first=b, second=a, barrier_dir=str(tmp_path))
			frappe.db.commit()
		frappe_lite = os.path.join(os.path.dirname(sys.executable), "frappe-lite")
		workers = [
			subprocess.Popen(
				[
					frappe_lite,
					"--sites-path",
					site.sites_path,
					"--site",
					site.name,
					"worker",
					"--burst",
					"--quiet",
				],
				env=site.env(),
				stdout=subprocess.DEVNULL,
				stderr=subprocess.PIPE,
				text=True,
			)
			for _ in range(2)
		]
		for w in workers:
			w.wait(timeout=60)
		attempts = sorted(int(open(tmp_path / f"attempts-{n}").read()) for n in (a, b))
		assert attempts == [1, 2], "one job was the deadlock victim and ran again"
		with site.connect():
			assert frappe.db.get_value("Fixture Note", a, "value") == 1
			assert frappe.db.get_value("Fixture Note", b, "value") == 1
			assert error_logs(f"{JOBS}.lock_two_notes") == []

	def test_worker_without_site_uses_common_site_config(self, fixture_site, redis_url):
		site = fixture_site()
		site.cli("set-config", "--global", "redis_queue", redis_url)
		with site.connect():
			enqueue(f"{JOBS}.write_note", title="via common config")
			frappe.db.commit()
			assert notes("via common config") == [], "queued in Redis, not run inline"
		frappe_lite = os.path.join(os.path.dirname(sys.executable), "frappe-lite")
		worker = subprocess.run(
			[frappe_lite, "--sites-path", site.sites_path, "worker", "--burst", "--quiet"],
			env=site.env(),
			capture_output=True,
			text=True,
			timeout=60,
		)
		assert worker.returncode == 0, worker.stderr
		with site.connect():
			assert len(notes("via common config")) == 1

	def test_worker_bad_queue_and_missing_redis(self, fixture_site, redis_url):
		site = fixture_site(redis_queue=redis_url)
		result = site.cli("worker", "--burst", "--queue", "nope", check=False)
		assert result.returncode != 0 and "Queue should be one of" in result.stderr
		plain = fixture_site()
		result = plain.cli("worker", "--burst", check=False)
		assert result.returncode != 0 and "redis_queue" in result.stderr
		assert os.path.isdir(plain.sites_path)
