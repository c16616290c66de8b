"""The Desk scripts call the app's whitelisted methods with the arguments those methods take.

Read from the source (so it lives under tests/): every ``frappe.call({method: "...", args: {...}})`` and every
``/api/method/...?<query>`` download in the app's .js files names a whitelisted function of the app, passes
only parameters it has, and passes every parameter it requires. The driver form once sent ``driver_name``
to ``download_driver_statement(driver, ...)``: this is the test that would have caught it."""

import importlib
import inspect
import re
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "tuktuk_management"

_CALL = re.compile(
	r'method:\s*"(?P<method>tuktuk_management\.[\w.]+)"\s*,\s*(?:args:\s*\{(?P<args>[^{}]*)\})?', re.S
)
_DOWNLOAD = re.compile(r"/api/method/(?P<method>tuktuk_management\.[\w.]+)\?(?P<query>[^`\"'\s]*)")
_SEARCH_PARAMS = re.compile(r"new URLSearchParams\(\{(?P<args>[^{}]*)\}\)", re.S)
_KEY = re.compile(r"(?:^|,)\s*(\w+)\s*(?::|,|$)")


def keys_of(object_literal: str) -> set[str]:
	"""The keys of a flat JS object literal ("a: x, b: y.z, c" -> {a, b, c})."""
	return set(_KEY.findall(object_literal.strip().rstrip(",")))


def calls_in(text: str) -> list[tuple[str, set[str]]]:
	"""(dotted method, argument names) of each server call in a script."""
	found = [(m["method"], keys_of(m["args"] or "")) for m in _CALL.finditer(text)]
	for m in _DOWNLOAD.finditer(text):
		query = m["query"]
		if query.startswith("${"):  # the query is built by URLSearchParams just before
			before = text[: m.start()]
			params = list(_SEARCH_PARAMS.finditer(before))
			assert params, f"{m['method']}: cannot find the URLSearchParams its query is built from"
			found.append((m["method"], keys_of(params[-1]["args"])))
		else:
			found.append((m["method"], {pair.split("=")[0] for pair in query.split("&") if pair}))
	return found


def scripts():
	return sorted(APP.rglob("*.js"))


def resolve(dotted: str):
	module, _, name = dotted.rpartition(".")
	return getattr(importlib.import_module(module), name)


def parameters(function) -> tuple[set[str], set[str]]:
	"""(every parameter name, the required ones) of a whitelisted function."""
	signature = inspect.signature(function)
	names = {p.name for p in signature.parameters.values() if p.kind not in (p.VAR_KEYWORD, p.VAR_POSITIONAL)}
	required = {p.name for p in signature.parameters.values() if p.default is p.empty and p.name in names}
	return names, required


@pytest.mark.parametrize("script", scripts(), ids=lambda p: p.name)
def test_scripts_call_methods_with_their_parameters(script):
	for method, arguments in calls_in(script.read_text()):
		function = resolve(method)
		names, required = parameters(function)
		assert arguments <= names, f"{script.name}: {method} has no parameter {sorted(arguments - names)}"
		assert required <= arguments, f"{script.name}: {method} needs {sorted(required - arguments)}"


def test_the_driver_form_downloads_a_statement_by_get():
	text = (APP / "tuktuk_management/doctype/tuktuk_driver/tuktuk_driver.js").read_text()
	calls = dict(calls_in(text))
	assert calls["tuktuk_management.api.tuktuk.download_driver_statement"] == {
		"driver",
		"from_date",
		"to_date",
	}
	assert "window.open(`/api/method/tuktuk_management.api.tuktuk.download_driver_statement?" in text


def test_the_old_driver_form_would_fail():
	old = 'window.open("/api/method/tuktuk_management.api.tuktuk.download_driver_statement?driver_name=" + x)'
	[(method, arguments)] = calls_in(old)
	names, _required = parameters(resolve(method))
	# driver_name is not a parameter. (A missing argument is refused by the method itself, with a clear 4xx:
	# the managers' methods default every argument to None and check it, tests/security.)
	assert not arguments <= names


_PAGE_CALL = re.compile(r'call\("(?P<method>tuktuk_management\.[\w.]+)",\s*\{(?P<args>[^{}]*)\}\)', re.S)


def test_the_manager_page_calls_methods_with_their_parameters():
	"""/tuktuk (www/tuktuk.html) posts to the same whitelisted methods as Desk: same rule."""
	text = (APP / "www" / "tuktuk.html").read_text()
	calls = [(m["method"], keys_of(m["args"])) for m in _PAGE_CALL.finditer(text)]
	assert len(calls) >= 5, calls
	for method, arguments in calls:
		names, required = parameters(resolve(method))
		assert arguments <= names, f"tuktuk.html: {method} has no parameter {sorted(arguments - names)}"
		assert required <= arguments, f"tuktuk.html: {method} needs {sorted(required - arguments)}"
	for method, query in _DOWNLOAD.findall(text):
		names, _required = parameters(resolve(method))
		assert {pair.split("=")[0] for pair in query.split("&") if pair} <= names
