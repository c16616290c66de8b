from tests.helpers.fixtures import fixture_site  # noqa: F401  (a fixture, shared with tests/jobs)

# fixture_app's own Frappe test cases run through `frappe-lite run-tests`, never through pytest
collect_ignore_glob = ["fixture_app/*"]
