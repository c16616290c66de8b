"""Where one C2B confirmation spends its time, in-process on a frappe_lite site.

    .venv/bin/python -m benchmarks.profile_confirmation [sqlite|mariadb] [--count N] [--pyinstrument]
    cd $REALBENCH_DIR/sites && PYTHONPATH=<checkout> ../env/bin/python -m benchmarks.profile_confirmation \
        realbench --site <site> [--pyinstrument]      # on a real bench's site (cProfile without pyinstrument)

Runs ``tuktuk_management.api.tuktuk.mpesa_confirmation`` (the endpoint's own code: door, inbox, credit) N
times on a throwaway site, one hot driver, payouts held; prints the statements one confirmation issues (each
with its caller in the app), the commits, the mean time per confirmation, and with ``--pyinstrument`` the
profile of the whole run. Statements are counted by wrapping ``frappe.db.sql`` (every helper goes through it)
and the connection's ``commit``."""

import argparse
import os
import sys
import time
import traceback


def _caller() -> str:
	"""The innermost frame of the app (or of frappe when the app is not on the stack)."""
	for frame in reversed(traceback.extract_stack()[:-2]):
		if "tuktuk_management" in frame.filename and "/tests/" not in frame.filename:
			return f"{os.path.basename(frame.filename)}:{frame.lineno} {frame.name}"
	return "frappe"


def trace_statements(frappe):
	"""Record (statement, caller) for every frappe.db.sql call and every commit; returns (log, undo)."""
	cls = frappe.db.__class__
	original_sql, original_commit = cls.sql, cls.commit
	log = []

	def sql(self, query, *args, **kwargs):
		log.append((" ".join(str(query).split())[:110], _caller()))
		return original_sql(self, query, *args, **kwargs)

	def commit(self, *args, **kwargs):
		log.append(("COMMIT", _caller()))
		return original_commit(self, *args, **kwargs)

	cls.sql, cls.commit = sql, commit

	def undo():
		cls.sql, cls.commit = original_sql, original_commit

	return log, undo


def confirm_once(frappe, account, token, i):
	from tests.helpers.daraja import payload
	from tuktuk_management.api.tuktuk import mpesa_confirmation

	frappe.local.response = frappe._dict()
	mpesa_confirmation(**payload(account, "100.00", f"PRF{os.getpid()}X{i:06d}"), token=token)
	assert frappe.local.response.get("status") == "Processed", frappe.local.response


def profile(frappe, label, count, with_profiler):
	from tuktuk_management.tests.utils import (
		SERVED_C2B_SETTINGS,
		account_of,
		apply_settings,
		callback_token,
		make_split_driver,
	)

	apply_settings(SERVED_C2B_SETTINGS)
	driver = make_split_driver()
	frappe.db.commit()
	account, token = account_of(driver), callback_token()
	for i in range(20):  # warm: imports, meta
		confirm_once(frappe, account, token, i)
	log, undo = trace_statements(frappe)
	confirm_once(frappe, account, token, 99999)
	undo()
	commits = sum(1 for s, _ in log if s == "COMMIT")
	print(f"one confirmation on {label}: {len(log)} calls, {commits} commits")
	for n, (statement, caller) in enumerate(log, 1):
		print(f"{n:3d}  {caller:45.45s}  {statement}")
	profiler = None
	if with_profiler:
		try:
			from pyinstrument import Profiler

			profiler = Profiler(interval=0.0005)
		except ImportError:  # a bench env without it: the standard library's profiler
			import cProfile

			profiler = cProfile.Profile()
		profiler.enable() if hasattr(profiler, "enable") else profiler.start()
	started = time.perf_counter()
	for i in range(count):
		confirm_once(frappe, account, token, 100 + i)
	seconds = time.perf_counter() - started
	if profiler:
		profiler.disable() if hasattr(profiler, "disable") else profiler.stop()
	print(
		f"{count} confirmations: {seconds / count * 1000:.2f} ms each "
		f"({count / seconds:.0f}/s), load average {os.getloadavg()[0]:.2f}"
	)
	if profiler and hasattr(profiler, "output_text"):
		print(profiler.output_text(unicode=False, color=False, show_all=False))
	elif profiler:
		import pstats

		pstats.Stats(profiler).sort_stats("cumulative").print_stats(40)


def main(argv=None):
	parser = argparse.ArgumentParser()
	parser.add_argument("backend", nargs="?", default="mariadb", help="sqlite, mariadb, or realbench")
	parser.add_argument("--count", type=int, default=300)
	parser.add_argument("--pyinstrument", action="store_true", help="profile the run")
	parser.add_argument("--site", help="realbench: the site (its bench's sites/ is the working directory)")
	args = parser.parse_args(argv)
	if args.backend == "realbench":
		# Run with the bench's python from its sites/ folder, PYTHONPATH=<this checkout>.
		import frappe

		frappe.init(args.site, ".")
		frappe.connect()
		try:
			profile(frappe, f"a real Frappe {frappe.__version__} bench", args.count, args.pyinstrument)
		finally:
			frappe.destroy()
		return
	from benchmarks.common import throwaway_site

	with throwaway_site(args.backend) as site, site.connect() as frappe:
		profile(frappe, args.backend, args.count, args.pyinstrument)


if __name__ == "__main__":
	sys.exit(main())
