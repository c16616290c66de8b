"""(g) Money records on the real bench: tests/security (REST create/change/delete of ledger, payout, inbox,
reconciliation and daily-close rows as the manager and as Administrator, frappe.client.set_value, a driver
with money records refused by Frappe's link check, retries of Paid and unbacked payouts, POST-only money
methods, adjustments, concurrent replays) run over HTTP against the started bench, as a child pytest with
``TUKTUK_TARGET=realbench`` (the same test code as on frappe_lite; see test_2_http_system.py for the facts)."""

import os
import re
import subprocess
import sys
import time
from pathlib import Path

from tests.realbench.realbench import REPO, REPORT, facts_path, readable


def test_money_records_hold_over_http_on_the_bench(facts):
	log = facts.artifacts / "money-records.log"
	env = {**os.environ, "TUKTUK_TARGET": "realbench", "REALBENCH_FACTS": str(facts_path())}
	env.pop("REALBENCH_TIER", None)
	pytest = str(Path(sys.executable).parent / "pytest")  # this virtualenv's (see the Makefile)
	started = time.monotonic()
	result = subprocess.run(
		[pytest, "tests/security", "-p", "no:cacheprovider", "-q", "-rfEs"],
		cwd=REPO,
		env=env,
		stdout=subprocess.PIPE,
		stderr=subprocess.STDOUT,
		text=True,
		timeout=1200,
	)
	output = readable(result.stdout)
	log.write_text(output)
	last = output.strip().splitlines()[-1] if output.strip() else "(no output)"
	counts = dict(
		(k, int(n)) for n, k in re.findall(r"(\d+) (passed|failed|errors?|skipped|deselected)", last)
	)
	REPORT.append(
		f"Money records over HTTP on the bench: {last.strip('= ')} ({time.monotonic() - started:.0f} s; log {log})"
	)
	print(output[-6000:])
	assert result.returncode == 0, f"tests/security failed on the bench (see {log}):\n{output[-5000:]}"
	assert counts.get("passed", 0) > 0 and not counts.get("failed") and not counts.get("skipped"), last
