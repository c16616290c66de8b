import os
import sys

FIXTURE_APP_PARENT = os.path.join(os.path.dirname(__file__), "fixture_app")

# fixture_app's own Frappe test cases run through `frappe-lite run-tests`, never through pytest
collect_ignore_glob = ["fixture_app/*"]

if FIXTURE_APP_PARENT not in sys.path:
	sys.path.insert(0, FIXTURE_APP_PARENT)
