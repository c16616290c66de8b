"""frappe_lite against real Frappe v15: the scenarios of scenarios.py and http_scenarios.py run here on
frappe_lite (SQLite and MariaDB, in-process and over HTTP) and are compared, field by field, value and type,
with the results recorded on a real bench (recorded/, re-recorded by the real-bench tier).

Agreement must be at least THRESHOLD on MariaDB (in-process and HTTP) and on SQLite for everything portable;
every difference must be fixed or listed in kept.py (and docs/frappe_lite.md) with its reason."""

import tempfile
from pathlib import Path

import pytest

from tests.conformance import compare, kept, runner
from tests.conftest import create_test_site, drop_test_site

THRESHOLD = 98.0
DOCS = Path(__file__).resolve().parents[2] / "docs" / "frappe_lite.md"
COLUMNS = {}  # label -> compare() output, for the table printed at the end of the run


@pytest.fixture(scope="module")
def recorded():
	real_in, real_http, meta = runner.load_recorded()
	return real_in, real_http, meta


@pytest.fixture(scope="module")
def lite(module_backend, recorded):
	real_in, real_http, _ = recorded
	with tempfile.TemporaryDirectory() as tmp:
		site = create_test_site(
			module_backend,
			Path(tmp) / "sites",
			apps=("conformance_probe",),
			pythonpath=(str(runner.PROBE_APP),),
		)
		try:
			lite_in, lite_http = runner.lite_results(site)
		finally:
			drop_test_site(site)
	columns = {
		module_backend: compare.compare(real_in, lite_in),
		f"http {module_backend}": compare.compare(real_http, lite_http),
	}
	COLUMNS.update(columns)
	return columns


def check_column(label, cmp):
	"""The assertions for one column: nothing differs that is not kept, nothing kept agrees, threshold met."""
	listed = kept.kept_for(label)
	differing = compare.differing(cmp)
	new = {name: diffs for name, diffs in differing.items() if name not in listed}
	assert not new, (
		f"[{label}] differences from real Frappe v15 that are neither fixed nor kept:\n"
		+ "\n".join(
			f"  {name}: " + "; ".join(f"{p}: real {e} / lite {a}" for p, e, a in diffs[:4])
			for name, diffs in new.items()
		)
	)
	stale = sorted(name for name in listed if name in cmp and name not in differing)
	assert not stale, (
		f"[{label}] kept differences that agree now (remove them from kept.py and the docs): {stale}"
	)
	portable = {name: v for name, v in cmp.items() if not listed.get(name, {}).get("sqlite_nature")}
	score = compare.agreement(portable)
	assert score >= THRESHOLD, f"[{label}] agreement {score:.1f} % < {THRESHOLD} % (portable behaviours)"


def test_in_process(lite, module_backend):
	check_column(module_backend, lite[module_backend])


def test_over_http(lite, module_backend):
	check_column(f"http {module_backend}", lite[f"http {module_backend}"])


def test_kept_differences_are_documented():
	text = DOCS.read_text()
	missing = [name for name in kept.KEPT if f"`{name}`" not in text]
	assert not missing, f"kept differences not listed in {DOCS.name}: {missing}"


def test_recording_covers_every_scenario(recorded):
	"""A scenario added without re-recording would compare against nothing: re-record (make realbench, then
	python -m tests.conformance.runner record)."""
	from tests.conformance import http_scenarios, scenarios

	real_in, real_http, _ = recorded
	assert {name for _, name, _ in scenarios.SCENARIOS} == set(real_in)
	assert {name for _, name, _ in http_scenarios.HTTP_SCENARIOS} == set(real_http)
