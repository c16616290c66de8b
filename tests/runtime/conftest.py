import os

import pytest

FIXTURE_APP_PATH = os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixture_app")


@pytest.fixture(scope="module")
def lite_site(module_site_factory):
	"""One site per module and backend, with the lite_fixture test app installed."""
	return module_site_factory(apps=("lite_fixture",), pythonpath=(FIXTURE_APP_PATH,))


@pytest.fixture
def fl(lite_site):
	"""frappe, connected to the module's site as Administrator; rolled back and closed afterwards."""
	with lite_site.connect() as frappe:
		yield frappe
