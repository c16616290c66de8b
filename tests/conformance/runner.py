"""Runs the scenarios on each side and records or compares them.

frappe_lite: a throwaway site with the probe app (SQLite or MariaDB), probe.py in a child python for the
in-process scenarios, `frappe-lite serve` for the HTTP ones. The real bench: its test site, probe.py under the
bench's python, its gunicorn for HTTP (bench_side.py).

    .venv/bin/python -m tests.conformance.runner record     # re-record from the running real bench (REALBENCH_DIR)
    .venv/bin/python -m tests.conformance.runner compare    # frappe_lite (both backends) vs the recording

Recordings: tests/conformance/recorded/{inprocess,http}.json (+ meta.json: Frappe version, date)."""

import json
import os
import secrets
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
RECORDED = HERE / "recorded"
PROBE_APP = HERE / "probe_app"
for p in (str(HERE), str(PROBE_APP)):
	if p not in sys.path:
		sys.path.insert(0, p)

import http_scenarios  # noqa: E402


def _env():
	env = dict(os.environ)
	env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(PROBE_APP), str(REPO), env.get("PYTHONPATH")]))
	return env


def _probe_cmd(sites_path, site, out, *extra):
	return [
		sys.executable,
		str(HERE / "probe.py"),
		"--sites-path",
		str(sites_path),
		"--site",
		site,
		"--out",
		str(out),
		*extra,
	]


def lite_results(site, http=True):
	"""In-process and (optionally) HTTP results of frappe_lite on `site` (a tests.conftest.TestSite)."""
	with tempfile.TemporaryDirectory() as tmp:
		out = Path(tmp) / "inprocess.json"
		subprocess.run(
			_probe_cmd(site.sites_path, site.name, out),
			check=True,
			env=_env(),
			capture_output=True,
			timeout=600,
		)
		inprocess = json.loads(out.read_text())
		if not http:
			return inprocess, None
		users_file = Path(tmp) / "users.json"
		subprocess.run(
			_probe_cmd(site.sites_path, site.name, users_file, "--setup-http"),
			check=True,
			env=_env(),
			capture_output=True,
			timeout=300,
		)
		users = json.loads(users_file.read_text())
	from tests.helpers.server import FrappeServe

	server = FrappeServe(site.sites_path, site.name, env=_env(), own_group=True)
	server.start(timeout=60)
	try:
		target = http_scenarios.Target(server.url, site.name, users, "h" + secrets.token_hex(4))
		http = http_scenarios.run_all(target)
	finally:
		server.stop()
	return inprocess, http


def real_results(facts, http=True):
	"""The real bench's results, on its test site (the probe app installed there first)."""
	import bench_side

	site = facts["test_site"]
	changed = bench_side.install_probe(facts, site)
	with tempfile.TemporaryDirectory() as tmp:
		out = Path(tmp) / "inprocess.json"
		bench_side.run_probe(facts, site, out)
		inprocess = json.loads(out.read_text())
		if not http:
			return inprocess, None
		users_file = Path(tmp) / "users.json"
		bench_side.run_probe_setup(facts, site, users_file)
		users = json.loads(users_file.read_text())
	if changed:
		bench_side.restart_web(facts)
	target = http_scenarios.Target(facts["base_url"], site, users, "h" + secrets.token_hex(4))
	return inprocess, http_scenarios.run_all(target)


def load_recorded():
	return (
		json.loads((RECORDED / "inprocess.json").read_text()),
		json.loads((RECORDED / "http.json").read_text()),
		json.loads((RECORDED / "meta.json").read_text()),
	)


def record(facts):
	inprocess, http = real_results(facts)
	write_recording(inprocess, http, facts)
	return inprocess, http


def write_recording(inprocess, http, facts):
	import datetime

	RECORDED.mkdir(exist_ok=True)
	(RECORDED / "inprocess.json").write_text(json.dumps(inprocess, indent=1, sort_keys=True) + "\n")
	(RECORDED / "http.json").write_text(json.dumps(http, indent=1, sort_keys=True) + "\n")
	meta = {
		"frappe_version": facts["frappe_version"],
		"recorded": datetime.date.today().isoformat(),
		"site": "a real bench's test site (make realbench), MariaDB",
		"inprocess_scenarios": len(inprocess),
		"http_scenarios": len(http),
	}
	(RECORDED / "meta.json").write_text(json.dumps(meta, indent=1) + "\n")


def _facts():
	from tests.realbench.realbench import load_facts

	return load_facts()


def main(argv=None):
	import argparse

	import compare

	parser = argparse.ArgumentParser()
	parser.add_argument("what", choices=("record", "compare"))
	args = parser.parse_args(argv)
	if args.what == "record":
		inprocess, http = record(_facts())
		print(
			f"recorded {len(inprocess)} in-process and {len(http)} HTTP scenarios in {RECORDED} (bench: {_facts()['bench_path']})"
		)
		return
	real_in, real_http, _ = load_recorded()
	from tests.conftest import create_test_site, drop_test_site, mariadb_reason

	columns = {}
	with tempfile.TemporaryDirectory() as tmp:
		for backend in ("sqlite", "mariadb"):
			if backend == "mariadb" and mariadb_reason():
				continue
			sys.path.insert(0, str(PROBE_APP))
			site = create_test_site(
				backend, Path(tmp) / "sites", apps=("conformance_probe",), pythonpath=(str(PROBE_APP),)
			)
			try:
				lite_in, lite_http = lite_results(site)
			finally:
				drop_test_site(site)
			columns[f"{backend}"] = compare.compare(real_in, lite_in)
			columns[f"http {backend}"] = compare.compare(real_http, lite_http)
	print(compare.table(columns))
	for label, cmp in columns.items():
		for name, diffs in compare.differing(cmp).items():
			print(f"[{label}] {name}:")
			for d in diffs[:6]:
				print("     ", *d)


if __name__ == "__main__":
	main()
