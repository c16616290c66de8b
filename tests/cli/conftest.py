import os
import sys

import pytest

# fixture_app's own Frappe test cases run through `frappe-lite run-tests`, never through pytest
collect_ignore_glob = ["fixture_app/*"]

# fixture_app is importable here and in every frappe-lite process the tests start
FIXTURE_APP_PARENT = os.path.abspath(os.path.join(os.path.dirname(__file__), "fixture_app"))
if FIXTURE_APP_PARENT not in sys.path:
	sys.path.insert(0, FIXTURE_APP_PARENT)
if FIXTURE_APP_PARENT not in os.environ.get("PYTHONPATH", "").split(os.pathsep):
	os.environ["PYTHONPATH"] = os.pathsep.join(
		filter(None, [FIXTURE_APP_PARENT, os.environ.get("PYTHONPATH")])
	)


@pytest.fixture
def fixture_site(new_site):
	"""A site (SQLite or MariaDB, per the `backend` fixture) with fixture_app installed; no Redis."""

	def make(**config):
		config.setdefault("job_retry_delay", 0.01)
		return new_site(apps=("fixture_app",), **config)

	return make
