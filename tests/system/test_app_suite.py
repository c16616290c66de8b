"""The app's own Frappe test cases (``tuktuk_management/tests`` and every DocType's test file), run by
``frappe-lite run-tests --app tuktuk_management`` on each backend, as ``bench run-tests`` would."""


def test_app_suite(new_site):
	site = new_site()
	result = site.cli("run-tests", "--app", "tuktuk_management", check=False, timeout=1200)
	tail = (result.stdout + result.stderr)[-6000:]
	print(f"\n[{site.backend}] run-tests --app tuktuk_management:\n{tail[-600:]}")
	assert result.returncode == 0, tail
	assert "OK" in tail
