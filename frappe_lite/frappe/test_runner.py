# The test runner behind `frappe-lite run-tests`, following frappe/test_runner.py (v15).
#
# As `bench run-tests` it sets frappe.flags.in_test, runs the before_tests hooks, disables the scheduler and runs
# the app's unittest test cases. Unlike bench (which runs on the site it is given) it first makes a throwaway copy
# of that site: a fresh site with the same backend and the same installed apps (SQLite file in a temp dir, or a new
# MariaDB database `fltest_...` on the same server), and drops it afterwards, so tests never touch real data.
# Left out: test records (`test_records.json`, `test_dependencies`, `make_test_records`) and junit/profile output.
import importlib
import os
import shutil
import sys
import tempfile
import time
import unittest

import frappe
import frappe.utils.scheduler
from frappe.database import get_dialect
from frappe.utils import cint

SLOW_TEST_THRESHOLD = 2
TEST_SITE = "test_site"

# Config keys that belong to the original site's database (or its Redis queue) and are not cloned.
_NOT_CLONED = {
	"db_type",
	"db_name",
	"db_host",
	"db_port",
	"db_user",
	"db_password",
	"encryption_key",
	"redis_queue",
}


def run_on_throwaway_site(site: str, sites_path: str | None = None, **kwargs) -> unittest.TestResult:
	"""Clone `site` into a fresh test site, run the tests there (see `main`), drop the test site."""
	from frappe.installer import drop_site, new_site
	from frappe.utils.background_jobs import read_config

	sites_path = sites_path or os.environ.get("FRAPPE_LITE_SITES_PATH") or "sites"
	conf = read_config(sites_path, site)
	frappe.init(site=site, sites_path=sites_path)
	try:
		frappe.connect()
		apps = [app for app in frappe.get_installed_apps() if app != "frappe"]
	finally:
		frappe.destroy()

	test_sites_path = tempfile.mkdtemp(prefix="frappe_lite_tests_")
	common_config = os.path.join(sites_path, "common_site_config.json")
	if os.path.exists(common_config):
		shutil.copy(common_config, test_sites_path)

	dialect = get_dialect(conf)
	db_url = dialect.test_db_url(conf)

	print(f"Creating test site {TEST_SITE} ({dialect.name}) with apps: {', '.join(apps) or '-'}")
	created = False
	try:
		cloned_config = {key: value for key, value in conf.items() if key not in _NOT_CLONED}
		new_site(
			TEST_SITE,
			sites_path=test_sites_path,
			db_url=db_url,
			install_apps=tuple(apps),
			extra_config=cloned_config,
		)
		created = True
		frappe.destroy()
		return main(TEST_SITE, sites_path=test_sites_path, **kwargs)
	finally:
		if getattr(frappe.local, "site", None):
			frappe.destroy()
		if created:
			try:
				drop_site(TEST_SITE, test_sites_path, no_backup=True)
			except Exception as e:
				print(f"Could not drop the test site: {e}", file=sys.stderr)
		shutil.rmtree(test_sites_path, ignore_errors=True)


def main(
	site=None,
	sites_path=None,
	app=None,
	module=None,
	doctype=None,
	tests=(),
	case=None,
	failfast=False,
	verbose=False,
	skip_before_tests=False,
) -> unittest.TestResult:
	"""Run tests on `site` (already a test site) as Frappe's test_runner.main does."""
	frappe.init(site=site, sites_path=sites_path)
	try:
		frappe.connect()
		frappe.flags.print_messages = verbose
		frappe.flags.in_test = True
		frappe.flags.skip_before_tests = skip_before_tests

		scheduler_disabled_by_user = frappe.utils.scheduler.is_scheduler_disabled(verbose=False)
		if not scheduler_disabled_by_user:
			frappe.utils.scheduler.disable_scheduler()

		if not skip_before_tests:
			for fn in frappe.get_hooks("before_tests", app_name=app) or []:
				frappe.get_attr(fn)()

		if doctype:
			ret = run_tests_for_doctype(doctype, verbose, tests, failfast=failfast)
		elif module:
			ret = run_tests_for_module(module, verbose, tests, failfast=failfast, case=case)
		else:
			ret = run_all_tests(app, verbose, tests, failfast=failfast)

		if not scheduler_disabled_by_user:
			frappe.utils.scheduler.enable_scheduler()
		# as Frappe: whatever the tests left uncommitted at the end is committed
		frappe.db.commit()
		return ret
	finally:
		frappe.destroy()


class TimeLoggingTestResult(unittest.TextTestResult):
	def startTest(self, test):
		self._started_at = time.monotonic()
		super().startTest(test)

	def addSuccess(self, test):
		elapsed = time.monotonic() - self._started_at
		name = self.getDescription(test)
		if elapsed >= SLOW_TEST_THRESHOLD:
			self.stream.write(f"\n{name} ({elapsed:.03}s)\n")
		super().addSuccess(test)


def get_app_path(app: str) -> str:
	return os.path.dirname(importlib.import_module(app).__file__)


def run_all_tests(app=None, verbose=False, tests=(), failfast=False):
	apps = [app] if app else [a for a in frappe.get_installed_apps() if a != "frappe"]
	test_suite = unittest.TestSuite()
	for app in apps:
		app_path = get_app_path(app)
		for path, folders, files in os.walk(app_path):
			for dontwalk in ("locals", ".git", "public", "__pycache__", "node_modules"):
				if dontwalk in folders:
					folders.remove(dontwalk)
			# for predictability
			folders.sort()
			files.sort()
			for filename in files:
				if filename.startswith("test_") and filename.endswith(".py") and filename != "test_runner.py":
					relative_path = os.path.relpath(path, app_path)
					parts = (
						[app]
						+ ([] if relative_path == "." else relative_path.split(os.sep))
						+ [filename[:-3]]
					)
					module = importlib.import_module(".".join(parts))
					test_suite.addTest(unittest.TestLoader().loadTestsFromModule(module))
	return _run_suite(_select(test_suite, tests), verbose, failfast)


def run_tests_for_doctype(doctypes, verbose=False, tests=(), failfast=False):
	if not isinstance(doctypes, list | tuple):
		doctypes = [doctypes]
	modules = []
	for doctype in doctypes:
		modules.append(importlib.import_module(get_doctype_test_module(doctype)))
	return _run_unittest(modules, verbose=verbose, tests=tests, failfast=failfast)


def run_tests_for_module(module, verbose=False, tests=(), failfast=False, case=None):
	module = importlib.import_module(module)
	frappe.db.commit()
	return _run_unittest(module, verbose=verbose, tests=tests, failfast=failfast, case=case)


def get_doctype_test_module(doctype: str) -> str:
	"""`<app>.<module>.doctype.<dt>.test_<dt>` for a DocType of an installed app."""
	try:
		module_name = frappe.get_meta(doctype).module
	except Exception:
		module_name = None
	if not module_name:
		raise frappe.ValidationError(f"Invalid doctype {doctype}")
	module = scrub_name(module_name)
	for app in frappe.get_installed_apps():
		try:
			app_path = get_app_path(app)
		except ImportError:
			continue
		if os.path.isdir(os.path.join(app_path, module, "doctype", scrub_name(doctype))):
			return f"{app}.{module}.doctype.{scrub_name(doctype)}.test_{scrub_name(doctype)}"
	raise frappe.ValidationError(f"No test module found for doctype {doctype}")


def scrub_name(txt: str) -> str:
	"""frappe.scrub: lower case, spaces and hyphens to underscores."""
	return txt.replace(" ", "_").replace("-", "_").lower()


def _run_unittest(modules, verbose=False, tests=(), failfast=False, case=None):
	test_suite = unittest.TestSuite()
	if not isinstance(modules, list | tuple):
		modules = [modules]
	for module in modules:
		if case:
			test_suite.addTest(unittest.TestLoader().loadTestsFromTestCase(getattr(module, case)))
		else:
			test_suite.addTest(unittest.TestLoader().loadTestsFromModule(module))
	return _run_suite(_select(test_suite, tests), verbose, failfast)


def _select(suite: unittest.TestSuite, tests=()) -> unittest.TestSuite:
	"""Keep only the test methods named in `tests` (all when empty)."""
	if not tests:
		return suite
	selected = unittest.TestSuite()
	for test in _iter_tests(suite):
		if getattr(test, "_testMethodName", None) in tests:
			selected.addTest(test)
	return selected


def _iter_tests(suite):
	for test in suite:
		if isinstance(test, unittest.TestSuite):
			yield from _iter_tests(test)
		else:
			yield test


def _run_suite(test_suite, verbose=False, failfast=False):
	runner = unittest.TextTestRunner(
		resultclass=TimeLoggingTestResult,
		verbosity=1 + cint(verbose),
		failfast=failfast,
		tb_locals=verbose,
	)
	frappe.flags.tests_verbose = verbose
	return runner.run(test_suite)
