"""The real-bench half: put the probe app on a bench's site and run probe.py there.

The probe app is made importable in the bench's env by a `.pth` file naming tests/conformance/probe_app, and
listed in the SITE's own apps.txt (Frappe's get_all_apps reads it too), so the bench's global apps.txt, its
asset build and its other sites are untouched. gunicorn reads `.pth` files only when it starts: after the first
install the web process must be restarted (realbench/stop.sh + start.sh) before HTTP scenarios can run."""

import glob
import os
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PROBE_APP = HERE / "probe_app"


def bench_env(facts) -> dict:
	env = dict(os.environ)
	env["PATH"] = f"{facts['bench_path']}/env/bin:/usr/local/bin:/usr/bin:/bin"
	env.pop("PYTHONPATH", None)
	return env


def install_probe(facts, site) -> bool:
	"""Make the probe app importable on the bench and installed on `site`. True if anything changed."""
	bench = Path(facts["bench_path"])
	changed = False
	(pth,) = glob.glob(str(bench / "env/lib/python3*/site-packages")) or [None]
	if pth is None:
		raise RuntimeError(f"no site-packages under {bench}/env")
	pth_file = Path(pth) / "conformance_probe.pth"
	if not pth_file.exists() or pth_file.read_text().strip() != str(PROBE_APP):
		pth_file.write_text(str(PROBE_APP) + "\n")
		changed = True
	site_apps = bench / "sites" / site / "apps.txt"
	listed = site_apps.read_text().split() if site_apps.exists() else []
	if "conformance_probe" not in listed:
		site_apps.write_text("\n".join([*listed, "conformance_probe"]) + "\n")
		changed = True
	# Clear the cache BEFORE install-app: a module map cached in Redis by an earlier command (the web server,
	# list-apps) before the probe was listed makes install-app sync none of its DocTypes (docs/realbench.md;
	# seen in CI: the app "installed", no Probe Record, every scenario "Module import failed").
	_bench(bench, site, "clear-cache")
	listed = "conformance_probe" in _bench(bench, site, "list-apps", check=False).stdout
	if listed and not _probe_doctypes_synced(bench, site):
		_forget_installed(bench, site)  # listed as installed, DocTypes missing: install it again
		listed = False
	if not listed:
		_bench(bench, site, "install-app", "conformance_probe", timeout=600)
		changed = True
	_bench(bench, site, "clear-cache")
	if not _probe_doctypes_synced(bench, site):
		raise RuntimeError(f"install-app conformance_probe on {site} created no Probe Record DocType")
	return changed


def run_probe(facts, site, out, only=(), setup=False) -> Path:
	bench = Path(facts["bench_path"])
	cmd = [
		str(bench / "env/bin/python"),
		str(HERE / "probe.py"),
		"--sites-path",
		str(bench / "sites"),
		"--site",
		site,
		"--out",
		str(out),
	]
	if only:
		cmd += ["--only", *only]
	if setup:
		cmd.append("--setup-http")
	proc = subprocess.run(
		cmd, cwd=bench / "sites", capture_output=True, text=True, env=bench_env(facts), timeout=900
	)
	if proc.returncode != 0:
		raise RuntimeError(
			f"probe on {site} failed ({proc.returncode}):\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
		)
	return Path(out)


def run_probe_setup(facts, site, out) -> Path:
	"""The HTTP scenarios' users on the bench's site (probe.py --setup-http)."""
	return run_probe(facts, site, out, setup=True)


def restart_web(facts):
	"""Restart the bench's processes (stop.sh + start.sh) so gunicorn reads the probe's .pth file."""
	env = {**os.environ, "REALBENCH_DIR": facts["bench_path"]}
	subprocess.run(
		[str(REPO / "realbench" / "stop.sh")], check=True, env=env, capture_output=True, timeout=300
	)
	subprocess.run(
		[str(REPO / "realbench" / "start.sh")], check=True, env=env, capture_output=True, timeout=300
	)


def remove_probe(facts, site):
	"""Undo install_probe: uninstall the app from `site`, drop it from the site's apps.txt and remove the .pth
	(a bench re-synced later from another checkout must not try to migrate an app it cannot import)."""
	bench = Path(facts["bench_path"])
	env = {**os.environ, "REALBENCH_DIR": str(bench)}
	listed = subprocess.run(
		[str(REPO / "realbench" / "bench"), "--site", site, "list-apps"],
		capture_output=True,
		text=True,
		env=env,
		timeout=300,
	)
	if "conformance_probe" in listed.stdout:
		subprocess.run(
			[str(REPO / "realbench" / "bench"), "--site", site, "uninstall-app", "conformance_probe"]
			+ ["--yes", "--no-backup", "--force"],
			check=True,
			capture_output=True,
			text=True,
			env=env,
			timeout=600,
		)
	_forget_installed(bench, site)
	site_apps = bench / "sites" / site / "apps.txt"
	if site_apps.exists():
		rest = [a for a in site_apps.read_text().split() if a != "conformance_probe"]
		if rest:
			site_apps.write_text("\n".join(rest) + "\n")
		else:
			site_apps.unlink()
	for pth in glob.glob(str(bench / "env/lib/python3*/site-packages/conformance_probe.pth")):
		Path(pth).unlink()
	# and no module map cached while the probe was listed outlives it
	_bench(bench, site, "clear-cache")


def _bench(bench: Path, site: str, *args, check=True, timeout=300):
	return subprocess.run(
		[str(REPO / "realbench" / "bench"), "--site", site, *args],
		check=check,
		capture_output=True,
		text=True,
		env={**os.environ, "REALBENCH_DIR": str(bench)},
		timeout=timeout,
	)


def _site_db(bench: Path, site: str):
	import json

	import pymysql

	conf = json.loads((bench / "sites" / site / "site_config.json").read_text())
	common = json.loads((bench / "sites" / "common_site_config.json").read_text())
	return pymysql.connect(
		host=conf.get("db_host") or common.get("db_host") or "127.0.0.1",
		port=int(conf.get("db_port") or common.get("db_port") or 3306),
		user=conf["db_name"],
		password=conf["db_password"],
		database=conf["db_name"],
	)


def _probe_doctypes_synced(bench: Path, site: str) -> bool:
	conn = _site_db(bench, site)
	try:
		with conn.cursor() as cur:
			cur.execute("select count(*) from `tabDocType` where module = 'Conformance Probe'")
			return cur.fetchone()[0] > 0
	finally:
		conn.close()


def _forget_installed(bench: Path, site: str):
	"""Make sure the site's `installed_apps` default no longer names the probe. v15's remove_from_installed_apps
	reads that list through the defaults cache: with a stale cache it left the probe listed, and the next
	re-sync's migrate then failed importing conformance_probe.hooks (seen in CI). Same write as v15's, then
	clear-cache."""
	import json

	conn = _site_db(bench, site)
	try:
		with conn.cursor() as cur:
			cur.execute("select defvalue from `tabDefaultValue` where defkey = 'installed_apps'")
			row = cur.fetchone()
			apps = json.loads(row[0]) if row and row[0] else []
			if "conformance_probe" not in apps:
				return
			apps.remove("conformance_probe")
			cur.execute(
				"update `tabDefaultValue` set defvalue = %s where defkey = 'installed_apps'",
				(json.dumps(apps),),
			)
		conn.commit()
	finally:
		conn.close()
	_bench(bench, site, "clear-cache")
