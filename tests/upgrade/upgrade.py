"""The upgrade test's shared driver (tests/upgrade/test_upgrade_frappe_lite.py, tests/realbench/test_6_upgrade.py):
the committed dump of an original-app site, and site_checks.py run in the site's own runtime.

The test follows what Frappe's own apps do to test an upgrade: restore a database made by the previous
version, migrate it with the new code, check. The dump (data/, made by make_dump.sh through the original
app's own code paths on a real Frappe v15 bench) is data only: its SQL, the site's encryption key, and the
facts recorded on the original site before the dump."""

import json
import subprocess
from pathlib import Path

HERE = Path(__file__).resolve().parent
DUMP = HERE / "data" / "original_site.sql.gz"
FACTS = HERE / "data" / "original_site_facts.json"
SITE_CONFIG = HERE / "data" / "original_site_config.json"
SITE_CHECKS = HERE / "site_checks.py"


def facts() -> dict:
	return json.loads(FACTS.read_text())


def encryption_key() -> str:
	return json.loads(SITE_CONFIG.read_text())["encryption_key"]


def site_checks(python, phase, site, sites_path, env=None, timeout=900) -> dict:
	"""Run one phase of site_checks.py with ``python`` (the site's runtime) and return its JSON."""
	proc = subprocess.run(
		[str(python), str(SITE_CHECKS), phase, site, str(sites_path), str(FACTS)],
		capture_output=True,
		text=True,
		timeout=timeout,
		env=env,
		cwd=str(sites_path),
		check=False,
	)
	lines = [line for line in proc.stdout.splitlines() if line.startswith("CHECKS: ")]
	if proc.returncode != 0 or not lines:
		raise AssertionError(
			f"site_checks {phase} failed ({proc.returncode}):\n{proc.stdout[-4000:]}\n{proc.stderr[-4000:]}"
		)
	return json.loads(lines[-1][len("CHECKS: ") :])


def failures(out) -> list:
	"""The failed checks of a site_checks result, readable."""
	return [f"{c['name']}: {str(c['detail'])[:1500]}" for c in out["checks"] if not c["ok"]]


def http_failures(results) -> list:
	return [f"{name}: {str(detail)[:1500]}" for name, ok, detail in results if not ok]
