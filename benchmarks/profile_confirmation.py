"""Where one C2B confirmation spends its time, in-process on a frappe_lite site.

    .venv/bin/python -m benchmarks.profile_confirmation [sqlite|mariadb] [--count N] [--pyinstrument]

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

from benchmarks.common import throwaway_site


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


def main(argv=None):
	parser = argparse.ArgumentParser()
	parser.add_argument("backend", nargs="?", default="mariadb")
	parser.add_argument("--count", type=int, default=300)
	parser.add_argument("--pyinstrument", action="store_true")
	args = parser.parse_args(argv)
	with throwaway_site(args.backend) as site, site.connect() as frappe:
		from tuktuk_management.tests.utils import account_of, callback_token, make_split_driver

		driver = make_split_driver()
		frappe.db.commit()
		account, token = account_of(driver), callback_token()
		for i in range(20):  # warm: imports, meta
			confirm_once(frappe, account, token, i)
		log, undo = trace_statements(frappe)
		confirm_once(frappe, account, token, 99999)
		undo()
		print(
			f"one confirmation on {args.backend}: {len(log)} calls, {sum(1 for s, _ in log if s == 'COMMIT')} commits"
		)
		for n, (statement, caller) in enumerate(log, 1):
			print(f"{n:3d}  {caller:45.45s}  {statement}")
		profiler = None
		if args.pyinstrument:
			from pyinstrument import Profiler

			profiler = Profiler(interval=0.0005)
			profiler.start()
		started = time.perf_counter()
		for i in range(args.count):
			confirm_once(frappe, account, token, 100 + i)
		seconds = time.perf_counter() - started
		if profiler:
			profiler.stop()
		print(
			f"{args.count} confirmations: {seconds / args.count * 1000:.2f} ms each "
			f"({args.count / seconds:.0f}/s), load average {os.getloadavg()[0]:.2f}"
		)
		if profiler:
			print(profiler.output_text(unicode=False, color=False, show_all=False))


if __name__ == "__main__":
	sys.exit(main())
