"""frappe utilities and module-level helpers, as Frappe v15 defines them."""

import datetime

import pytest


def test_dict_and_scrub_and_json(fl):
	frappe = fl
	d = frappe._dict(a=1)
	assert d.a == 1 and d.missing is None
	d.b = 2
	assert d["b"] == 2
	assert frappe.scrub("TukTuk Driver") == "tuktuk_driver" and frappe.scrub("B2C-Payout") == "b2c_payout"
	assert frappe._("Hello {0}").format("x") == "Hello x"
	out = frappe.as_json({"when": datetime.date(2026, 1, 2), "n": 1})
	assert '"when": "2026-01-02"' in out
	parsed = frappe.parse_json('{"a": {"b": 1}}')
	assert parsed.a == {"b": 1} and isinstance(parsed, frappe._dict)


def test_number_helpers(fl):
	from frappe.utils import cint, cstr, flt

	assert flt("1,234.567", 2) == 1234.57
	assert flt("abc") == 0.0 and flt(None) == 0.0
	# v15's default "Banker's Rounding (legacy)", as a real bench returns it (tests/conformance): with a
	# precision a tie rounds up, without one it goes to the even integer (an int)
	assert flt(2.675, 2) == 2.68 and flt(0.125, 2) == 0.13 and flt("1.005", 2) == 1.01
	from frappe.utils import rounded

	assert rounded(2.5) == 2 and rounded(3.5) == 4 and isinstance(rounded(2.5), int)
	assert cint("3.7") == 3 and cint("x") == 0 and cint(None, 5) == 5
	assert cstr(None) == "" and cstr(b"x") == "x" and cstr(3) == "3"


def test_dates_follow_site_time_zone(fl):
	frappe = fl
	from frappe.utils import (
		add_days,
		add_to_date,
		get_datetime,
		get_time,
		getdate,
		now,
		now_datetime,
		nowdate,
		today,
	)

	assert frappe.db.get_single_value("System Settings", "time_zone") == "Africa/Nairobi"
	utc = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)
	delta = now_datetime() - utc
	assert abs(delta.total_seconds() - 3 * 3600) < 5  # EAT is UTC+3, no DST
	assert nowdate() == today() == now_datetime().strftime("%Y-%m-%d")
	assert len(now()) == 26
	assert getdate("2026-02-03") == datetime.date(2026, 2, 3)
	assert getdate() == now_datetime().date()
	assert getdate("0001-01-01") is None
	assert get_datetime("2026-02-03 04:05:06") == datetime.datetime(2026, 2, 3, 4, 5, 6)
	assert get_datetime(datetime.date(2026, 2, 3)) == datetime.datetime(2026, 2, 3)
	assert add_days("2026-02-28", 1) == "2026-03-01"
	assert add_to_date("2026-01-31", months=1) == "2026-02-28"
	assert add_to_date("2026-01-01 10:00:00", hours=3) == "2026-01-01 13:00:00.000000"
	assert add_to_date(datetime.date(2026, 1, 1), days=2) == datetime.date(2026, 1, 3)
	assert get_time("06:30") == datetime.time(6, 30)
	assert get_time(datetime.timedelta(hours=1)) == datetime.time(1, 0)


def test_get_attr_hooks_and_installed_apps(fl):
	frappe = fl
	assert frappe.get_installed_apps() == ["frappe", "lite_fixture"]
	assert frappe.get_attr("frappe.utils.data.flt") is frappe.utils.flt
	events = frappe.get_hooks("doc_events")
	assert "LF Item" in events and events["LF Item"]["validate"] == ["lite_fixture.events.log_event"]
	assert frappe.get_hooks("app_name") == ["frappe", "lite_fixture"]
	assert frappe.get_hooks("nope", default=[]) == []
	assert frappe.db.get_default("lite_fixture_installed") == "yes"  # after_install ran
	with pytest.raises(frappe.AppNotInstalledError):
		frappe.get_attr("not_an_app.module.fn")


def test_whitelist_and_call_filter_arguments(fl):
	frappe = fl

	@frappe.whitelist(allow_guest=True, methods=["POST"])
	def fn(a, b=2):
		return a + b

	def with_kwargs(a, **kwargs):
		return sorted(kwargs)

	assert fn in frappe.whitelisted and fn in frappe.guest_methods
	assert frappe.allowed_http_methods_for_whitelisted_func[fn] == ["POST"]
	assert frappe.call(fn, a=1, b=3, junk=9) == 4
	assert frappe.call(with_kwargs, a=1, cmd="x", flags=1, ignore_permissions=1) == ["cmd"]
	frappe.set_user("Guest")

	def private():
		pass

	with pytest.raises(frappe.PermissionError):
		frappe.is_whitelisted(private)
	frappe.is_whitelisted(fn)


def test_roles_and_permissions(fl):
	frappe = fl
	user = frappe.get_doc({"doctype": "User", "email": "Clerk@Example.com", "first_name": "Clerk"}).insert()
	assert user.name == "clerk@example.com" and user.full_name == "Clerk"
	assert frappe.has_permission("LF Hash", "read", user=user.name) is False
	user.add_roles("System Manager")
	assert "System Manager" in frappe.get_roles(user.name)
	assert frappe.has_permission("LF Hash", "read", user=user.name) is True
	frappe.set_user(user.name)
	frappe.only_for("System Manager")
	with pytest.raises(frappe.PermissionError):
		frappe.only_for("Accounts Manager")
	frappe.set_user("Guest")
	assert frappe.get_roles() == ["Guest"]
	with pytest.raises(frappe.PermissionError):
		frappe.get_doc({"doctype": "LF Hash", "title": "guest"}).insert()


def test_whitelisted_type_hints_checked_in_requests_and_tests_only(fl):
	frappe = fl

	@frappe.whitelist()
	def typed(n: int, ok: bool = False):
		return n, ok

	assert typed(n="3") == ("3", False)  # a plain call outside a request or test is not checked
	frappe.flags.in_test = True
	assert typed(n="3", ok=1) == (3, True)
	with pytest.raises(frappe.FrappeTypeError) as info:
		typed(n="x")
	assert "Argument 'n'" in str(info.value) and info.value.http_status_code == 417
