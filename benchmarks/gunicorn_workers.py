"""How many gunicorn workers for the real bench (``python -m benchmarks.gunicorn_workers 2 4``): for each count
the bench's web server is restarted with REALBENCH_GUNICORN_WORKERS=N (realbench/stop.sh, start.sh), then the
app's confirmation and the framework floor run with 8 clients on 100 drivers, twice each, alternately.
Prints payments/s per count and variant, with the load average. The bench must be built and started."""

import os
import subprocess
import sys

from benchmarks import side_by_side as sbs


def main(counts):
	facts, reason = sbs.realbench_facts()
	if not facts:
		raise SystemExit(reason)
	rows = []
	for workers in counts:
		env = {**os.environ, "REALBENCH_GUNICORN_WORKERS": str(workers)}
		for script in ("stop.sh", "start.sh"):
			subprocess.run(
				["bash", os.path.join(sbs.REPO_ROOT, "realbench", script)],
				env=env,
				check=True,
				capture_output=True,
			)
		made = subprocess.run(
			[
				os.path.join(facts["bench_path"], "env", "bin", "python"),
				"-m",
				"benchmarks.realbench_setup",
				facts["site"],
				"100",
			],
			capture_output=True,
			text=True,
			cwd=os.path.join(facts["bench_path"], "sites"),
			env={**os.environ, "PYTHONPATH": sbs.REPO_ROOT},
			check=True,
		)
		data = sbs.json.loads(made.stdout.strip().splitlines()[-1])
		pool = sbs.Pool(["http", facts["base_url"], facts["host_header"]], 8, dict(os.environ))
		try:
			sbs.warm(pool, data["drivers"], ("framework_floor", "app"), data["token"], rounds=workers)
			for variant in ("app", "framework_floor", "framework_floor", "app"):
				results = pool.run(variant, 8, 16, data["drivers"], sbs.unique_prefix(), data["token"])
				row = sbs.summarise("realbench-http", "spread", 8, variant, results, (0, 0), (0, 0))
				rows.append((workers, variant, row["per_s"], row["load"]))
				print(
					f"{workers} workers  {variant:16s} {row['per_s']:6.1f}/s  load {row['load']}", flush=True
				)
		finally:
			pool.close()
	subprocess.run(
		["bash", os.path.join(sbs.REPO_ROOT, "realbench", "stop.sh")], check=True, capture_output=True
	)
	subprocess.run(
		["bash", os.path.join(sbs.REPO_ROOT, "realbench", "start.sh")], check=True, capture_output=True
	)


if __name__ == "__main__":
	main([int(n) for n in sys.argv[1:]] or [2, 4])
