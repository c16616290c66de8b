# Background jobs, following frappe/utils/background_jobs.py (v15).
#
# Two transports, chosen per site:
# - RQ on Redis when the site config (or common_site_config) names `redis_queue`, exactly as Frappe:
#   queues "{bench_id}:short|default|long", job ids "{site}::{job_id}", `frappe-lite worker` consumes them.
# - Inline after commit otherwise: no Redis configured means the job runs in this same process right after the
#   enqueuing transaction commits (it is registered on `frappe.db.after_commit`; a rollback drops it), in its own
#   frappe.local context with its own database connection and transaction, through the same `execute_job` a worker
#   uses (connect as the enqueuing user, commit on success, rollback + Error Log on failure, deadlock retry).
#   A failing inline job never raises into the code that enqueued it: that code's transaction already committed,
#   as it would have on a bench.
import contextvars
import os
import sys
import time
from collections.abc import Callable
from typing import Any
from uuid import uuid4

import frappe
from frappe import _
from frappe.exceptions import QueryDeadlockError, QueryTimeoutError, RetryBackgroundJobError

# TTLs as Frappe's.
RQ_JOB_FAILURE_TTL = 7 * 24 * 60 * 60
RQ_RESULTS_TTL = 10 * 60
DEFAULT_QUEUE_TIMEOUT = 300

# Set inside the fresh context an inline job runs in, so that execute_job's frappe.init finds the enqueuer's sites.
_job_sites_path: contextvars.ContextVar[str | None] = contextvars.ContextVar(
	"frappe_lite_job_sites_path", default=None
)

# Inline jobs running in this process (any thread), for `deduplicate`; queued ones hang off their connection.
_running_inline_jobs: dict = {}

_redis_connections: dict[str, Any] = {}


def get_queues_timeout(conf=None) -> dict[str, int]:
	"""Queue name -> default timeout; custom `workers` from the config are added as Frappe does."""
	custom_workers_config = (conf if conf is not None else _get_conf()).get("workers") or {}
	return {
		"short": DEFAULT_QUEUE_TIMEOUT,
		"default": DEFAULT_QUEUE_TIMEOUT,
		"long": 1500,
		**{
			worker: (config or {}).get("timeout", DEFAULT_QUEUE_TIMEOUT)
			for worker, config in custom_workers_config.items()
		},
	}


def enqueue(
	method: str | Callable,
	queue: str = "default",
	timeout: int | None = None,
	event=None,
	is_async: bool = True,
	job_name: str | None = None,
	now: bool = False,
	enqueue_after_commit: bool = False,
	*,
	on_success: Callable | None = None,
	on_failure: Callable | None = None,
	at_front: bool = False,
	job_id: str | None = None,
	deduplicate=False,
	**kwargs,
):
	"""Enqueue `method(**kwargs)` to run in the background (see the module docstring for the transports).

	`now=True`, or `is_async=False` outside tests, calls the method at once through `frappe.call` and returns its
	result, without committing. Returns the RQ Job (or an InlineJob), or None when deduplicated or deferred by
	`enqueue_after_commit`."""
	# To handle older implementations
	is_async = kwargs.pop("async", is_async)

	if deduplicate:
		if not job_id:
			frappe.throw(_("`job_id` paramater is required for deduplication."))
		if is_job_enqueued(job_id):
			return None
		if uses_redis():
			job = get_job(job_id)
			if job:
				# delete a finished job so that its id can be reused (rq/rq#793)
				job.delete()

	# namespace job ids to sites
	job_id = create_job_id(job_id)

	call_directly = now or (not is_async and not frappe.flags.in_test)
	if call_directly:
		return frappe.call(method, **kwargs)

	validate_queue(queue)
	if not timeout:
		timeout = get_queues_timeout().get(queue) or DEFAULT_QUEUE_TIMEOUT

	queue_args = {
		"site": frappe.local.site,
		"user": frappe.session.user if getattr(frappe.local, "session", None) else None,
		"method": method,
		"event": event,
		"job_name": job_name or get_method_name(method),
		"is_async": is_async,
		"kwargs": kwargs,
	}

	if not uses_redis():
		return _enqueue_inline(queue_args, job_id, enqueue_after_commit)

	from redis.exceptions import ConnectionError as RedisConnectionError

	try:
		q = get_queue(queue, is_async=is_async)
	except RedisConnectionError:
		if frappe.local.flags.in_migrate:
			print(f"Redis queue is unreachable: Executing {method} synchronously")
			return frappe.call(method, **kwargs)
		raise

	def enqueue_call():
		from rq import Callback

		return q.enqueue_call(
			execute_job,
			on_success=Callback(func=on_success) if on_success else None,
			on_failure=Callback(func=on_failure) if on_failure else None,
			timeout=timeout,
			kwargs=queue_args,
			at_front=at_front,
			failure_ttl=frappe.conf.get("rq_job_failure_ttl") or RQ_JOB_FAILURE_TTL,
			result_ttl=frappe.conf.get("rq_results_ttl") or RQ_RESULTS_TTL,
			job_id=job_id,
		)

	if enqueue_after_commit:
		frappe.db.after_commit.add(enqueue_call)
		return None

	return enqueue_call()


def enqueue_doc(doctype, name=None, method=None, queue="default", timeout=300, now=False, **kwargs):
	"""Enqueue a method to be run on a document"""
	return enqueue(
		"frappe.utils.background_jobs.run_doc_method",
		doctype=doctype,
		name=name,
		doc_method=method,
		queue=queue,
		timeout=timeout,
		now=now,
		**kwargs,
	)


def run_doc_method(doctype, name, doc_method, **kwargs):
	getattr(frappe.get_doc(doctype, name), doc_method)(**kwargs)


def execute_job(site, method, event, job_name, kwargs, user=None, is_async=True, retry=0):
	"""Executes job in a worker, performs commit/rollback and logs if there is any error (as Frappe v15)."""
	retval = None

	if is_async:
		frappe.init(site=site, sites_path=_job_sites_path.get())
		frappe.connect()
		if os.environ.get("CI"):
			frappe.flags.in_test = True

		if user:
			frappe.set_user(user)

	method_name = get_method_name(method)
	if isinstance(method, str):
		method = frappe.get_attr(method)

	frappe.local.job = frappe._dict(
		site=site, method=method_name, job_name=job_name, kwargs=kwargs, user=user
	)

	try:
		retval = method(**kwargs)

	except (QueryDeadlockError, QueryTimeoutError, RetryBackgroundJobError) as e:
		frappe.db.rollback()

		if retry < 5:
			# 1213 = deadlock, 1205 = lock wait timeout, or RetryBackgroundJobError explicitly raised
			if is_async:
				frappe.destroy()
			time.sleep(_retry_delay(retry))
			return execute_job(
				site, method_name, event, job_name, kwargs, user=user, is_async=is_async, retry=retry + 1
			)

		frappe.log_error(title=method_name)
		# Frappe's Error Log survives this on MariaDB (MyISAM); commit so it does here too
		frappe.db.commit()
		raise e

	except Exception:
		frappe.db.rollback()
		frappe.log_error(title=method_name)
		# the Error Log is the job's only trace: keep it
		frappe.db.commit()
		# stderr, not stdout as Frappe's worker: inline jobs share stdout with e.g. `execute`'s JSON result
		print(frappe.get_traceback(), file=sys.stderr)
		raise

	else:
		# the job is the unit of work: its writes stand together
		frappe.db.commit()
		return retval

	finally:
		if is_async and getattr(frappe.local, "site", None):
			frappe.destroy()


def _retry_delay(retry: int) -> float:
	"""Frappe sleeps retry + 1 seconds; `job_retry_delay` in the config scales that (tests use a small one)."""
	scale = frappe.conf.get("job_retry_delay") if getattr(frappe.local, "conf", None) else None
	return (retry + 1) * (float(scale) if scale is not None else 1.0)


def get_method_name(method) -> str:
	if isinstance(method, str):
		return method
	return f"{method.__module__}.{method.__qualname__}"


# --- inline transport (no Redis configured)


class InlineJob:
	"""What `enqueue` returns without Redis: the namespaced id and an rq-like status
	(queued until the enqueuing commit, started, finished or failed; canceled if that transaction rolled back)."""

	def __init__(self, job_id: str, queue_args: dict):
		self.id = job_id
		self.queue_args = queue_args
		self.status = "queued"

	def get_status(self) -> str:
		return self.status


def _pending_inline_jobs() -> dict[str, InlineJob]:
	"""Jobs waiting for the current connection's commit, by id (they belong to that transaction, as with
	enqueue_after_commit on RQ)."""
	db = getattr(frappe.local, "db", None)
	if db is None:
		return {}
	if not hasattr(db, "_pending_inline_jobs"):
		db._pending_inline_jobs = {}
	return db._pending_inline_jobs


def _enqueue_inline(queue_args: dict, job_id: str, enqueue_after_commit: bool):
	job = InlineJob(job_id, queue_args)

	if not queue_args["is_async"]:
		# Frappe's tests use an RQ Queue(is_async=False): the job runs at once, on the caller's connection
		job.status = "started"
		_running_inline_jobs[job_id] = job
		try:
			return execute_job(**{**queue_args, "is_async": False})
		finally:
			_running_inline_jobs.pop(job_id, None)

	db = getattr(frappe.local, "db", None)
	sites_path = getattr(frappe.local, "sites_path", None)
	if db is None:
		_run_inline_job(job, sites_path)
		return job

	pending = _pending_inline_jobs()
	pending[job_id] = job

	def run():
		if pending.pop(job_id, None) is job:
			_run_inline_job(job, sites_path)

	def cancel():
		if pending.pop(job_id, None) is job:
			job.status = "canceled"

	db.after_commit.add(run)
	db.after_rollback.add(cancel)
	return None if enqueue_after_commit else job


def _run_inline_job(job: InlineJob, sites_path: str | None):
	"""Run one job through execute_job in a fresh frappe.local context (own connection, own transaction)."""

	def in_fresh_context():
		_job_sites_path.set(sites_path)
		execute_job(**job.queue_args)

	job.status = "started"
	_running_inline_jobs[job.id] = job
	try:
		contextvars.Context().run(in_fresh_context)
		job.status = "finished"
	except Exception:
		# logged as an Error Log by execute_job; the enqueuing transaction already committed
		job.status = "failed"
		print(f"Background job {job.queue_args['job_name']} failed", file=sys.stderr)
	finally:
		_running_inline_jobs.pop(job.id, None)


# --- RQ transport


def _has_site_conf() -> bool:
	return getattr(frappe.local, "conf", None) is not None


def _get_conf():
	return frappe.local.conf if _has_site_conf() else frappe._dict()


def uses_redis() -> bool:
	"""True when this site's config names a Redis queue (`redis_queue`)."""
	return bool(_get_conf().get("redis_queue"))


def get_bench_id(conf=None) -> str:
	"""Frappe prefixes queue names with the bench id (its `bench_id` config or the bench path)."""
	conf = conf if conf is not None else _get_conf()
	if conf.get("bench_id"):
		return conf.get("bench_id")
	sites_path = (
		getattr(frappe.local, "sites_path", None) or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	)
	return os.path.dirname(os.path.abspath(sites_path))


def generate_qname(qtype: str, conf=None) -> str:
	return f"{get_bench_id(conf)}:{qtype}"


def get_redis_conn(redis_url: str | None = None):
	import redis

	url = redis_url or _get_conf().get("redis_queue")
	if not url:
		raise Exception("redis_queue missing in site_config.json")
	if url not in _redis_connections:
		_redis_connections[url] = redis.Redis.from_url(url)
	return _redis_connections[url]


def get_queue(qtype, is_async=True):
	"""Returns a Queue object tied to a redis connection"""
	from rq import Queue

	validate_queue(qtype)
	return Queue(generate_qname(qtype), connection=get_redis_conn(), is_async=is_async)


def get_queue_list(queue_list=None, build_queue_name=False, conf=None):
	"""Defines possible queues. Also wraps a given queue in a list after validating."""
	default_queue_list = list(get_queues_timeout(conf))
	if queue_list:
		if isinstance(queue_list, str):
			queue_list = [q.strip() for q in queue_list.split(",") if q.strip()]
		for queue in queue_list:
			validate_queue(queue, default_queue_list)
	else:
		queue_list = default_queue_list
	return [generate_qname(qtype, conf) for qtype in queue_list] if build_queue_name else queue_list


def validate_queue(queue, default_queue_list=None):
	if not default_queue_list:
		default_queue_list = list(get_queues_timeout())
	if queue not in default_queue_list:
		frappe.throw(_("Queue should be one of {0}").format(", ".join(default_queue_list)))


def create_job_id(job_id: str | None = None) -> str:
	"""Generate unique job id for deduplication"""
	if not job_id:
		job_id = str(uuid4())
	return f"{frappe.local.site}::{job_id}"


def is_job_enqueued(job_id: str) -> bool:
	return get_job_status(job_id) in ("queued", "started")


def get_job_status(job_id: str) -> str | None:
	"""Get the job's status (queued, started, finished, failed...), None if it is not known."""
	if not uses_redis():
		job_id = create_job_id(job_id)
		job = _running_inline_jobs.get(job_id) or _pending_inline_jobs().get(job_id)
		return job.get_status() if job else None
	job = get_job(job_id)
	if job:
		status = job.get_status()
		return getattr(status, "value", status)
	return None


def get_job(job_id: str):
	from rq.exceptions import NoSuchJobError
	from rq.job import Job

	try:
		return Job.fetch(create_job_id(job_id), connection=get_redis_conn())
	except NoSuchJobError:
		return None


def start_worker(
	queue: str | None = None,
	quiet: bool = False,
	burst: bool = False,
	sites_path: str | None = None,
	site: str | None = None,
) -> None:  # pragma: no cover - runs in its own process
	"""Run an RQ worker on the given queues (comma separated; all by default) of this bench's Redis.

	Redis and the bench id come from `site`'s config (or common_site_config). Jobs run through execute_job in a
	forked work horse, which inits the job's site from `sites_path`."""
	from rq import Worker

	conf = read_config(sites_path, site)
	if not conf.get("redis_queue"):
		raise frappe.ValidationError("redis_queue is not set in the site or common site config")
	if sites_path:
		# execute_job's frappe.init() runs in the work horse and finds the sites here
		os.environ["FRAPPE_LITE_SITES_PATH"] = os.path.abspath(sites_path)
	if conf.get("bench_id") is None:
		conf["bench_id"] = os.path.dirname(os.path.abspath(sites_path or "sites"))

	queues = get_queue_list(queue, build_queue_name=True, conf=conf)
	worker = Worker(queues, connection=get_redis_conn(conf["redis_queue"]))
	worker.work(
		logging_level="WARNING" if quiet else "INFO",
		burst=burst,
		date_format="%Y-%m-%d %H:%M:%S",
		log_format="%(asctime)s,%(msecs)03d %(message)s",
	)


def read_config(sites_path: str | None, site: str | None = None) -> dict:
	"""common_site_config.json merged under the site's site_config.json, read without connecting."""
	import json

	sites_path = sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	conf = {}
	paths = [os.path.join(sites_path, "common_site_config.json")]
	if site:
		paths.append(os.path.join(sites_path, site, "site_config.json"))
	for path in paths:
		if os.path.exists(path):
			with open(path) as f:
				conf.update(json.load(f) or {})
	return frappe._dict(conf)
