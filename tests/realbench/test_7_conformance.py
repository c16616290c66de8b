"""(g) The conformance suite live: every scenario of tests/conformance re-run on the bench (its test site, with
the probe app installed there), frappe_lite compared with those live results under make test's rules (agreement
>= 98 %, every difference fixed or kept), and any drift between the live results and the committed recording
reported. `CONFORMANCE_RECORD=1` writes the live results over the recording (then commit them).

The probe app is removed from the bench again at the end (uninstalled from the test site, the .pth dropped).
Outputs: ARTIFACTS/conformance/{inprocess,http}.json (the live results) and the table."""

import json
import os
import tempfile
from pathlib import Path

from tests.conformance import compare, runner
from tests.conformance.test_conformance import check_column
from tests.conftest import create_test_site, drop_test_site, mariadb_reason
from tests.realbench.realbench import REPORT


def test_conformance_against_the_live_bench(facts):
	import bench_side

	try:
		live_in, live_http = runner.real_results(facts)
	finally:
		# the probe app is the tier's, not the bench's: a later re-sync must not meet it
		bench_side.remove_probe(facts, facts["test_site"])
	out = facts.artifacts / "conformance"
	out.mkdir(parents=True, exist_ok=True)
	(out / "inprocess.json").write_text(json.dumps(live_in, indent=1, sort_keys=True))
	(out / "http.json").write_text(json.dumps(live_http, indent=1, sort_keys=True))

	rec_in, rec_http, meta = runner.load_recorded()
	drift = {
		**compare.differing(compare.compare(rec_in, live_in)),
		**compare.differing(compare.compare(rec_http, live_http)),
	}
	REPORT.append(
		f"conformance: the bench (Frappe {facts['frappe_version']}) against the recording ({meta['frappe_version']}, "
		f"{meta['recorded']}): {len(drift)} scenario(s) differ" + (f": {sorted(drift)}" if drift else "")
	)
	if os.environ.get("CONFORMANCE_RECORD") == "1":
		runner.write_recording(live_in, live_http, facts)
		REPORT.append(f"conformance: live results recorded in {runner.RECORDED}")

	columns = {}
	with tempfile.TemporaryDirectory() as tmp:
		for backend in ("sqlite", "mariadb"):
			if backend == "mariadb" and mariadb_reason():
				REPORT.append(f"conformance: MariaDB column skipped ({mariadb_reason()})")
				continue
			site = create_test_site(
				backend, Path(tmp) / "sites", apps=("conformance_probe",), pythonpath=(str(runner.PROBE_APP),)
			)
			try:
				lite_in, lite_http = runner.lite_results(site)
			finally:
				drop_test_site(site)
			columns[backend] = compare.compare(live_in, lite_in)
			columns[f"http {backend}"] = compare.compare(live_http, lite_http)
	REPORT.extend(["conformance of frappe_lite with the live bench:", *compare.table(columns).splitlines()])
	for label, cmp in columns.items():
		check_column(label, cmp)
