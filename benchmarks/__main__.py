"""python -m benchmarks [--quick] [--only NAME[,NAME]] [--backend sqlite|mariadb|both]

Runs the benchmarks on SQLite and, when it answers, on MariaDB, each on throwaway sites dropped afterwards,
and prints one table per benchmark. Names: crediting, reconcile, http, money."""

import argparse
import sys
import time
import traceback

BENCHMARKS = ("crediting", "reconcile", "http", "money")


def load() -> str:
	try:
		import os

		return " ".join(f"{x:.1f}" for x in os.getloadavg())
	except OSError:
		return "unknown"


def main(argv=None):
	parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__.split("\n\n")[1])
	parser.add_argument("--quick", action="store_true", help="smaller sizes (a smoke run, noisier figures)")
	parser.add_argument(
		"--only", action="append", default=[], help=f"run only these ({', '.join(BENCHMARKS)})"
	)
	parser.add_argument("--backend", choices=("sqlite", "mariadb", "both"), default="both")
	args = parser.parse_args(argv)

	only = [n.strip() for item in args.only for n in item.split(",") if n.strip()] or list(BENCHMARKS)
	unknown = [n for n in only if n not in BENCHMARKS]
	if unknown:
		parser.error(f"unknown benchmark(s) {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")

	from benchmarks import common

	backends = ["sqlite"] if args.backend in ("sqlite", "both") else []
	notes = []
	if args.backend in ("mariadb", "both"):
		reason = common.mariadb_reason()
		if reason:
			notes.append(f"MariaDB skipped: {reason}")
		else:
			backends.append("mariadb")
	if not backends:
		print("\n".join(notes) or "no backend to run on")
		return 1

	import os

	print(
		f"benchmarks: {', '.join(only)} on {', '.join(backends)}{' (quick)' if args.quick else ''};"
		f" {os.cpu_count()} CPU(s), load average {load()} (ratios are same-run; absolute figures move with load)",
		flush=True,
	)
	for note in notes:
		print(note, flush=True)
	failed = 0
	started = time.monotonic()
	try:
		for name in only:
			t0 = time.monotonic()
			module = __import__(f"benchmarks.bench_{name}", fromlist=["run"])
			try:
				table, _results = module.run(backends, quick=args.quick)
			except Exception:
				failed += 1
				print(f"\n{name}: FAILED\n{traceback.format_exc()}", flush=True)
				continue
			print("\n" + table.render(), flush=True)
			for line in getattr(table, "notes", []):
				print(f"  {line}")
			print(f"  ({time.monotonic() - t0:.0f}s)", flush=True)
	finally:
		common.cleanup_leftovers()
		if common.SITES_PATH:
			import shutil

			shutil.rmtree(common.SITES_PATH, ignore_errors=True)
	print(f"\nall benchmarks: {time.monotonic() - started:.0f}s; load average now {load()}")
	return 1 if failed else 0


if __name__ == "__main__":
	sys.exit(main())
