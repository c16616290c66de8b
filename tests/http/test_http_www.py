"""www pages rendered with Jinja after their get_context, and /assets/<app>/ from the app's public/."""

import requests
from http_helpers import token_header


def test_www_page_with_context(http_site):
	r = requests.get(http_site.url("/hello"), params={"name": "Wanjiru"}, timeout=10)
	assert r.status_code == 200
	assert r.headers["Content-Type"].startswith("text/html")
	assert "<h1>Hello Wanjiru</h1>" in r.text
	assert '<p id="user">Guest</p>' in r.text


def test_www_page_escapes_request_values(http_site):
	r = requests.get(http_site.url("/hello"), params={"name": "<script>x</script>"}, timeout=10)
	assert "<script>x</script>" not in r.text
	assert "&lt;script&gt;" in r.text


def test_www_page_sees_the_user(http_site, manager):
	r = requests.get(http_site.url("/private_page"), headers=token_header(manager), timeout=10)
	assert r.status_code == 200
	assert f"secret for {manager['email']}" in r.text


def test_www_permission_error_is_403_page(http_site):
	r = requests.get(http_site.url("/private_page"), timeout=10)
	assert r.status_code == 403
	assert "Not Permitted" in r.text


def test_missing_page_is_404(http_site):
	r = requests.get(http_site.url("/no-such-page"), timeout=10)
	assert r.status_code == 404
	assert "Not Found" in r.text


def test_app_asset(http_site):
	r = requests.get(http_site.url("/assets/http_fixture/js/fixture.js"), timeout=10)
	assert r.status_code == 200
	assert 'console.log("http_fixture asset");' in r.text


def test_assets_stay_inside_public(http_site):
	for path in (
		"/assets/http_fixture/../hooks.py",
		"/assets/http_fixture/%2e%2e/hooks.py",
		"/assets/http_fixture/js/missing.js",
		"/assets/os/anything",
	):
		assert requests.get(http_site.url(path), timeout=10).status_code == 404, path
