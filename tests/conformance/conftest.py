"""Prints the conformance table (behaviours compared, agreeing, differing, per area and backend) at the end."""

# the probe app is installed by the tests, never collected; the probe and the scenarios are not tests
collect_ignore_glob = [
	"probe_app/*",
	"probe.py",
	"scenarios.py",
	"http_scenarios.py",
	"runner.py",
	"bench_side.py",
]


def pytest_terminal_summary(terminalreporter):
	from tests.conformance import compare, kept
	from tests.conformance.test_conformance import COLUMNS

	if not COLUMNS:
		return
	terminalreporter.section("conformance with real Frappe v15 (recorded)")
	not_portable = {
		label: {n for n, e in kept.kept_for(label).items() if e.get("sqlite_nature")} for label in COLUMNS
	}
	for line in compare.table(COLUMNS, not_portable).splitlines():
		terminalreporter.write_line(line)
