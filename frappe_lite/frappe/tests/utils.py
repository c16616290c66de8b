# The testing API, following frappe/tests/utils.py (v15), so that an app's tests run unchanged here and on a bench.
import copy
import datetime
import signal
import unittest
from collections.abc import Sequence
from contextlib import contextmanager
from unittest.mock import patch

import frappe
from frappe.utils import cint
from frappe.utils.data import get_datetime

datetime_like_types = (datetime.datetime, datetime.date, datetime.time, datetime.timedelta)


class FrappeTestCase(unittest.TestCase):
	"""Base test class for Frappe tests.

	setUpClass commits what came before; at class end the transaction is rolled back and frappe.local.flags
	restored, so data made in one test is visible to the next tests of the class and gone after it.
	If you specify `setUpClass` then make sure to call `super().setUpClass`
	otherwise this class will become ineffective.
	"""

	TEST_SITE = "test_site"

	SHOW_TRANSACTION_COMMIT_WARNINGS = False
	maxDiff = 10_000  # prints long diffs but useful in CI

	@classmethod
	def setUpClass(cls) -> None:
		cls.TEST_SITE = getattr(frappe.local, "site", None) or cls.TEST_SITE
		cls.ADMIN_PASSWORD = frappe.conf.get("admin_password")
		cls._primary_connection = frappe.local.db
		cls._secondary_connection = None
		# flush changes done so far to avoid flake
		frappe.db.commit()
		if cls.SHOW_TRANSACTION_COMMIT_WARNINGS:
			frappe.db.before_commit.add(_commit_watcher)

		# enqueue teardown actions (executed in LIFO order)
		cls.addClassCleanup(_restore_thread_locals, copy.deepcopy(frappe.local.flags), _copy_conf())
		cls.addClassCleanup(_rollback_db)

		return super().setUpClass()

	def assertSequenceSubset(self, larger: Sequence, smaller: Sequence, msg=None):
		"""Assert that `expected` is a subset of `actual`."""
		self.assertTrue(set(smaller).issubset(set(larger)), msg=msg)

	# --- Frappe Framework specific assertions
	def assertDocumentEqual(self, expected, actual):
		"""Compare a (partial) expected document with actual Document."""
		if hasattr(expected, "as_dict"):
			expected = expected.as_dict()

		for field, value in expected.items():
			if isinstance(value, list):
				actual_child_docs = actual.get(field)
				self.assertEqual(len(value), len(actual_child_docs), msg=f"{field} length should be same")
				for exp_child, actual_child in zip(value, actual_child_docs, strict=False):
					self.assertDocumentEqual(exp_child, actual_child)
			else:
				self._compare_field(value, actual.get(field), actual, field)

	def _compare_field(self, expected, actual, doc, field: str):
		msg = f"{field} should be same."

		if isinstance(expected, float):
			precision = _precision(doc, field)
			self.assertAlmostEqual(
				expected, actual, places=precision, msg=f"{field} should be same to {precision} digits"
			)
		elif isinstance(expected, bool | int):
			self.assertEqual(expected, cint(actual), msg=msg)
		elif isinstance(expected, datetime_like_types):
			self.assertEqual(str(expected), str(actual), msg=msg)
		else:
			self.assertEqual(expected, actual, msg=msg)

	@contextmanager
	def primary_connection(self):
		"""Switch to primary DB connection

		This is used for simulating multiple users performing actions by simulating two DB connections"""
		try:
			current_conn = frappe.local.db
			frappe.local.db = self._primary_connection
			yield
		finally:
			frappe.local.db = current_conn

	@contextmanager
	def secondary_connection(self):
		"""Switch to secondary DB connection."""
		if self._secondary_connection is None:
			primary = frappe.local.db
			frappe.connect(set_admin_as_user=False)  # get second connection
			type(self)._secondary_connection = frappe.local.db
			frappe.local.db = primary
			self.addClassCleanup(type(self)._close_secondary_connection)

		try:
			current_conn = frappe.local.db
			frappe.local.db = self._secondary_connection
			yield
		finally:
			frappe.local.db = current_conn
			self.addCleanup(self._rollback_connections)

	@classmethod
	def _close_secondary_connection(cls):
		if cls._secondary_connection is not None:
			cls._secondary_connection.close()
			cls._secondary_connection = None

	def _rollback_connections(self):
		self._primary_connection.rollback()
		self._secondary_connection.rollback()

	@contextmanager
	def assertQueryCount(self, count):
		"""Assert that the block runs at most `count` queries through frappe.db.sql."""
		queries = []
		db = frappe.local.db
		orig_sql = db.sql

		def _sql_with_count(query, *args, **kwargs):
			queries.append(str(query).strip())
			return orig_sql(query, *args, **kwargs)

		try:
			# an instance attribute shadows the method for every caller of this connection's sql
			db.sql = _sql_with_count
			yield
			self.assertLessEqual(len(queries), count, msg="Queries executed: \n" + "\n\n".join(queries))
		finally:
			if db.__dict__.get("sql") is _sql_with_count:
				del db.sql

	@contextmanager
	def set_user(self, user: str):
		try:
			old_user = frappe.session.user
			frappe.set_user(user)
			yield
		finally:
			frappe.set_user(old_user)

	@contextmanager
	def freeze_time(self, time_to_freeze, *args, **kwargs):
		"""Freeze frappe's clock (now_datetime, now, nowdate, today) at `time_to_freeze`, a system-time-zone time.

		frappe_lite has no freezegun: the stdlib datetime.now() keeps running."""
		with freeze_time(time_to_freeze):
			yield


@contextmanager
def freeze_time(time_to_freeze):
	"""Module-level form of FrappeTestCase.freeze_time."""
	previous = getattr(frappe.local, "frozen_time", None)
	try:
		frappe.local.frozen_time = get_datetime(time_to_freeze)
		yield
	finally:
		frappe.local.frozen_time = previous


def _precision(doc, field) -> int:
	try:
		return cint(doc.precision(field)) or 7
	except Exception:
		return 7


def _commit_watcher():
	import traceback

	print("Warning:, transaction committed during tests.")
	traceback.print_stack(limit=10)


def _copy_conf():
	conf = getattr(frappe.local, "conf", None)
	return copy.deepcopy(conf) if conf is not None else None


def _rollback_db():
	if getattr(frappe.local, "db", None) is None:
		return
	if hasattr(frappe.db, "value_cache"):
		frappe.db.value_cache = {}
	frappe.db.rollback()


def _restore_thread_locals(flags, conf=None):
	frappe.local.flags = flags
	frappe.local.error_log = []
	frappe.local.message_log = []
	frappe.local.debug_log = []
	if conf is not None:
		frappe.local.conf = conf
	frappe.local.lang = "en"

	if hasattr(frappe.local, "request"):
		delattr(frappe.local, "request")


@contextmanager
def change_settings(doctype, settings_dict=None, /, commit=False, **settings):
	"""
	A context manager to ensure that settings are changed before running
	function and restored after running it regardless of exceptions occurred.

	This is useful in tests where you want to make changes in a function but
	don't retain those changes.

	import and use as decorator to cover full function or using `with` statement.

	Example:

	```
	@change_settings("Print Settings", {"send_print_as_pdf": 1})
	def test_case(self):
	    pass


	@change_settings("Print Settings", send_print_as_pdf=1)
	def test_case(self):
	    pass
	```
	"""

	if settings_dict is None:
		settings_dict = settings

	previous_settings = {}
	try:
		settings = frappe.get_doc(doctype)
		# remember setting
		previous_settings = copy.deepcopy(settings_dict)
		for key in previous_settings:
			previous_settings[key] = getattr(settings, key)

		_save_settings(settings, settings_dict, commit)
		yield  # yield control to calling function

	finally:
		# restore settings
		_save_settings(frappe.get_doc(doctype), previous_settings, commit)


def _save_settings(settings, values, commit):
	for key, value in values.items():
		setattr(settings, key, value)
	settings.save(ignore_permissions=True)
	# singles are cached by default, clear to avoid flake
	if hasattr(frappe.db, "value_cache"):
		frappe.db.value_cache = {}
	if commit:
		frappe.db.commit()


def timeout(seconds=30, error_message="Test timed out."):
	"""Timeout decorator to ensure a test doesn't run for too long.

	adapted from https://stackoverflow.com/a/2282656"""

	# Support @timeout (without function call)
	no_args = bool(callable(seconds))
	actual_timeout = 30 if no_args else seconds
	actual_error_message = "Test timed out" if no_args else error_message

	def decorator(func):
		def _handle_timeout(signum, frame):
			raise Exception(actual_error_message)

		def wrapper(*args, **kwargs):
			signal.signal(signal.SIGALRM, _handle_timeout)
			signal.alarm(actual_timeout)
			try:
				result = func(*args, **kwargs)
			finally:
				signal.alarm(0)
			return result

		return wrapper

	if no_args:
		return decorator(seconds)

	return decorator


@contextmanager
def patch_hooks(overridden_hoooks):
	get_hooks = frappe.get_hooks

	def patched_hooks(hook=None, default="_KEEP_DEFAULT_LIST", app_name=None):
		if hook in overridden_hoooks:
			return overridden_hoooks[hook]
		if default == "_KEEP_DEFAULT_LIST":
			return get_hooks(hook, app_name=app_name)
		return get_hooks(hook, default, app_name)

	with patch.object(frappe, "get_hooks", patched_hooks):
		yield
