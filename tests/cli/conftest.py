import os

import pytest

# fixture_app's own Frappe test cases run through `frappe-lite run-tests`, never through pytest
collect_ignore_glob = ["fixture_app/*"]

FIXTURE_APP_PARENT = os.path.abspath(os.path.join(os.path.dirname(__file__), "fixture_app"))


@pytest.fixture
def fixture_site(new_site):
	"""A site (SQLite or MariaDB, per the `backend` fixture) with fixture_app installed."""

	def make(**config):
		config.setdefault("job_retry_delay", 0.01)
		return new_site(apps=("fixture_app",), pythonpath=(FIXTURE_APP_PARENT,), **config)

	return make
