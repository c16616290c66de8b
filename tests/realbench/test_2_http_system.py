"""(b) HOOK: the HTTP system tests (tests/system) against the real bench.

PLACEHOLDER until tests/system takes a base URL + Host header + API token (another engineer is making that).
Everything such a run needs is in the facts file build.sh writes ($REALBENCH_DIR/realbench.json):

	base_url       http://127.0.0.1:8800             where gunicorn listens
	host_header    tuktuk.realbench                  send as `Host:` (Frappe picks the site from it)
	manager.authorization  "token KEY:SECRET"        a TukTuk Manager's API token (also .api_key/.api_secret)
	admin_user / admin_password                      Administrator, for login-based tests
	site, bench_cmd                                  `bench_cmd --site SITE ...` for server-side setup/reads

To wire it: replace the skip below by running tests/system with those values, e.g.
	TUKTUK_BASE_URL=$base_url TUKTUK_HOST=$host_header TUKTUK_TOKEN=$authorization pytest tests/system -k http
(whatever names tests/system ends up reading), as a subprocess here, asserting its exit code.
The smoke test below already proves those facts reach the app over HTTP as the manager."""

import pytest


def test_facts_reach_the_app_over_http_as_manager(facts):
	r = facts.get("/api/method/frappe.auth.get_logged_user")
	assert r.status_code == 200, r.text
	assert r.json()["message"] == facts["manager"]["user"]
	r = facts.get(
		"/api/method/tuktuk_management.api.tuktuk.reconcile_driver_balance",
		params={"driver_name": facts["reference_driver"]},
	)
	assert r.status_code == 200, r.text
	assert {"discrepancy", "calculated_balance", "transactions_count"} <= set(r.json()["message"])
	r = facts.get(
		"/api/method/tuktuk_management.api.tuktuk.reconcile_driver_balance",
		token=False,
		params={"driver_name": facts["reference_driver"]},
	)
	assert r.status_code == 403, "a guest must be refused"


@pytest.mark.skip(
	reason="HOOK: tests/system does not take a base URL + Host + token yet (see this module's docstring)"
)
def test_system_http_suite_against_the_bench(facts):
	raise NotImplementedError
