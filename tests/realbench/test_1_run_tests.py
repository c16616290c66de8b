"""(a) The app's own Frappe test cases on the real bench: `bench --site TEST_SITE run-tests --app tuktuk_management`.

Frappe v15 test cases commit what they write, so the run gets a site made anew for it (realbench/test_site.sh:
new-site --force on the throwaway test site, which drops only its own database). CI=1 is set because without
it `run-tests` exits 0 even when tests fail; the summary (`Ran N tests`, `OK` / `FAILED (failures=F,
errors=E)`) is parsed and asserted too. The whole output is kept in ARTIFACTS/run-tests.log."""

import re

import pytest

from tests.realbench.realbench import REPORT, bench, readable, run_script


@pytest.fixture(scope="module")
def run(facts):
	made = run_script("test_site.sh")
	log = facts.artifacts / "test-site.log"
	log.write_text(readable(made.stdout))
	assert made.returncode == 0, f"making the test site failed; see {log}:\n{readable(made.stdout)[-3000:]}"
	result = bench(
		"--site", facts["test_site"], "run-tests", "--app", "tuktuk_management", env={"CI": "1"}, timeout=1800
	)
	output = readable(result.stdout)
	(facts.artifacts / "run-tests.log").write_text(output)
	return result.returncode, output


def summary(output):
	ran = re.search(r"^Ran (\d+) tests? in ", output, re.M)
	ok = re.search(r"^OK\b", output, re.M)
	failed = re.search(r"^FAILED \(([^)]*)\)", output, re.M)
	counts = dict(re.findall(r"(failures|errors)=(\d+)", failed.group(1))) if failed else {}
	return {
		"ran": int(ran.group(1)) if ran else None,
		"ok": bool(ok),
		"failures": int(counts.get("failures", 0)),
		"errors": int(counts.get("errors", 0)),
		"failing": re.findall(r"^(?:FAIL|ERROR): (\S+) \(([^)]*)\)", output, re.M),
	}


def test_app_test_cases_pass_on_real_frappe(run, facts):
	code, output = run
	s = summary(output)
	REPORT.append(
		f"run-tests on {facts['test_site']}: ran {s['ran']}, failures {s['failures']}, errors {s['errors']}"
		f" (exit {code}; log {facts.artifacts / 'run-tests.log'})"
	)
	REPORT.extend(f"  failing: {where}" for _, where in s["failing"])
	assert s["ran"], f"no `Ran N tests` summary in the run-tests output (exit {code}):\n{output[-3000:]}"
	assert s["ran"] > 0, "run-tests ran no test"
	failing = "\n".join(f"  {where}" for _, where in s["failing"])
	assert s["ok"] and not s["failures"] and not s["errors"] and code == 0, (
		f"run-tests: {s['failures']} failures, {s['errors']} errors of {s['ran']} (exit {code}):\n{failing}\n"
		f"full output: {facts.artifacts / 'run-tests.log'}"
	)
