"""(b) The HTTP system tests (tests/system, tests/payouts) against the real bench.

The same test code that runs on frappe_lite in `make test` takes a target (tests/helpers/target.py); with
``TUKTUK_TARGET=realbench`` it is the bench the facts file describes ($REALBENCH_DIR/realbench.json):

	base_url, host_header          where gunicorn listens; the Host header picks the site
	manager.authorization          a TukTuk Manager's API token ("token KEY:SECRET")
	admin_password                 Administrator, to add users (REST + generate_keys)
	site, bench_cmd                `bench --site SITE execute ...` reads the callback secret (a Password field)
	db_name                        the site's MariaDB database: balances corrupted on purpose, results read

Run here as a child pytest (tests/system tests/payouts; only the tests that take a target are collected), its
output in ARTIFACTS/http-system.log and its figures (payments sent, credited, lost, payouts paid, paid twice)
in ARTIFACTS/http-system-figures.json, summed in the tier's closing report. The bench's RQ worker sends the
B2C payouts; the Daraja simulator runs in the child and calls the bench back through a Host-setting relay.
Counts are scaled down on the bench (the 8-process race sends 8 x 25, reconcile-all corrupts 40 drivers):
TUKTUK_BENCH_FULL=1 keeps frappe_lite's counts."""

import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.realbench.realbench import REPO, REPORT, facts_path, readable


def test_facts_reach_the_app_over_http_as_manager(facts):
	r = facts.get("/api/method/frappe.auth.get_logged_user")
	assert r.status_code == 200, r.text
	assert r.json()["message"] == facts["manager"]["user"]
	r = facts.get(
		"/api/method/tuktuk_management.api.tuktuk.reconcile_driver_balance",
		params={"driver_name": facts["reference_driver"]},
	)
	assert r.status_code == 200, r.text
	assert {"discrepancy", "calculated_balance", "transactions_count"} <= set(r.json()["message"])
	r = facts.get(
		"/api/method/tuktuk_management.api.tuktuk.reconcile_driver_balance",
		token=False,
		params={"driver_name": facts["reference_driver"]},
	)
	assert r.status_code == 403, "a guest must be refused"


def test_system_http_suite_against_the_bench(facts):
	log = facts.artifacts / "http-system.log"
	figures = facts.artifacts / "http-system-figures.json"
	figures.unlink(missing_ok=True)
	env = {
		**os.environ,
		"TUKTUK_TARGET": "realbench",
		"REALBENCH_FACTS": str(facts_path()),
		"TUKTUK_FIGURES_FILE": str(figures),
	}
	env.pop("REALBENCH_TIER", None)
	# bin/pytest of this virtualenv (see the Makefile: `python -m pytest` would shadow mpesa_sandbox)
	pytest = str(Path(sys.executable).parent / "pytest")
	started = time.monotonic()
	result = subprocess.run(
		[pytest, "tests/system", "tests/payouts", "-p", "no:cacheprovider", "-q", "-s", "-rfE"],
		cwd=REPO,
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		timeout=1800,
	)
	elapsed = time.monotonic() - started
	output = readable(result.stdout)
	log.write_text(output)
	last = output.strip().splitlines()[-1] if output.strip() else "(no output)"
	counts = dict(
		(k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped|deselected)", last)
	)
	REPORT.append(f"HTTP system tests on the bench: {last.strip('= ')} ({elapsed:.0f} s; log {log})")
	if figures.exists():
		for label, sums in json.loads(figures.read_text())["totals"].items():
			REPORT.append(
				f"  {label}: payments sent {sums['sent']}, credited {sums['credited']}, lost {sums['lost']}, "
				f"duplicates acknowledged {sums['duplicates']}; payouts {sums['payouts']}, paid by the simulator "
				f"{sums['paid']}, paid twice {sums['paid_twice']}"
			)
	print(output[-6000:])
	assert result.returncode == 0, f"the HTTP system tests failed on the bench (see {log}):\n{output[-5000:]}"
	assert counts.get("passed", 0) > 0 and not counts.get("failed") and not counts.get("error"), last
	totals = json.loads(figures.read_text())["totals"]["realbench"]
	assert totals["lost"] == 0 and totals["paid_twice"] == 0 and totals["credited"] == totals["sent"], totals
