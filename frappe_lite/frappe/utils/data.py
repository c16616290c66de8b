# Date and number helpers, following frappe/utils/data.py (v15).
import datetime
import json
import math
import re

from dateutil import parser
from dateutil.relativedelta import relativedelta

DATE_FORMAT = "%Y-%m-%d"
TIME_FORMAT = "%H:%M:%S.%f"
DATETIME_FORMAT = f"{DATE_FORMAT} {TIME_FORMAT}"


def get_system_timezone() -> str:
	"""The site's System Settings time_zone (frappe_lite sites default to Africa/Nairobi)."""
	import frappe

	local = frappe.local
	tz = getattr(local, "system_timezone", None) if local else None
	if tz:
		return tz
	tz = None
	if getattr(local, "db", None):
		try:
			tz = local.db.get_single_value("System Settings", "time_zone", cache=True)
		except Exception:
			tz = None
	tz = tz or "Asia/Kolkata"
	try:
		local.system_timezone = tz
	except Exception:
		pass
	return tz


def convert_utc_to_timezone(utc_timestamp, time_zone):
	from pytz import UnknownTimeZoneError, timezone

	if utc_timestamp.tzinfo is None:
		utc_timestamp = timezone("UTC").localize(utc_timestamp)
	try:
		return utc_timestamp.astimezone(timezone(time_zone))
	except UnknownTimeZoneError:
		return utc_timestamp


def convert_utc_to_system_timezone(utc_timestamp):
	return convert_utc_to_timezone(utc_timestamp, get_system_timezone())


def now_datetime() -> datetime.datetime:
	"""Naive datetime in the system time zone, as Frappe's now_datetime()."""
	import frappe

	frozen = getattr(frappe.local, "frozen_time", None) if frappe.local else None
	if frozen:
		return frozen
	dt = convert_utc_to_system_timezone(datetime.datetime.now(datetime.timezone.utc))
	return dt.replace(tzinfo=None)


def now() -> str:
	return now_datetime().strftime(DATETIME_FORMAT)


def nowdate() -> str:
	return now_datetime().strftime(DATE_FORMAT)


def today() -> str:
	return nowdate()


def nowtime() -> str:
	return now_datetime().strftime(TIME_FORMAT)


def getdate(string_date=None, parse_day_first=False):
	"""A datetime.date; a falsy input gives today, "0001-01-01" gives None (frappe.utils.data.getdate)."""
	if not string_date:
		return get_datetime().date()
	if isinstance(string_date, datetime.datetime):
		return string_date.date()
	if isinstance(string_date, datetime.date):
		return string_date
	if isinstance(string_date, datetime.timedelta):
		return None
	if is_invalid_date_string(string_date):
		return None
	try:
		return parser.parse(string_date, dayfirst=parse_day_first).date()
	except parser.ParserError:
		import frappe

		frappe.throw(
			frappe._("{} is not a valid date string.").format(frappe.bold(string_date)),
			title=frappe._("Invalid Date"),
		)


def get_datetime(datetime_str=None):
	"""A datetime.datetime; None gives now_datetime() (frappe.utils.data.get_datetime)."""
	if datetime_str is None:
		return now_datetime()
	if isinstance(datetime_str, datetime.datetime):
		return datetime_str
	if isinstance(datetime_str, (list, tuple)):
		return datetime.datetime(*datetime_str)
	if isinstance(datetime_str, datetime.date):
		return datetime.datetime.combine(datetime_str, datetime.time())
	if isinstance(datetime_str, datetime.timedelta):
		return None
	if not datetime_str or is_invalid_date_string(datetime_str):
		return None
	try:
		return datetime.datetime.strptime(datetime_str, DATETIME_FORMAT)
	except ValueError:
		return parser.parse(datetime_str)


def get_time(time_str):
	"""A datetime.time from a time string, timedelta, time or datetime."""
	if isinstance(time_str, datetime.datetime):
		return time_str.time()
	if isinstance(time_str, datetime.time):
		return time_str
	if isinstance(time_str, datetime.timedelta):
		return (datetime.datetime.min + time_str).time()
	try:
		return parser.parse(time_str).time()
	except parser.ParserError as e:
		# "30:00:00" and the like: more than a day of hours (Frappe's parse_timedelta)
		if (len(e.args) > 1 and "day" in e.args[1]) or "hour must be in" in e.args[0]:
			return (datetime.datetime.min + parse_timedelta(time_str)).time()
		raise


def get_timedelta(time=None):
	try:
		t = parser.parse(str(time)).time() if not isinstance(time, datetime.timedelta) else None
		if t is None:
			return time
		return datetime.timedelta(
			hours=t.hour, minutes=t.minute, seconds=t.second, microseconds=t.microsecond
		)
	except Exception:
		return None


def is_invalid_date_string(date_string: str) -> bool:
	return not isinstance(date_string, str) or (
		(not date_string) or (date_string or "").startswith(("0001-01-01", "0000-00-00"))
	)


def add_to_date(
	date,
	years=0,
	months=0,
	weeks=0,
	days=0,
	hours=0,
	minutes=0,
	seconds=0,
	as_string=False,
	as_datetime=False,
):
	"""Adds relativedelta parts; a str input gives a str back (datetime string if it had a time or hours were added)."""
	if date is None:
		date = now_datetime()
	if hours:
		as_datetime = True
	if isinstance(date, str):
		as_string = True
		if " " in date:
			as_datetime = True
		try:
			date = parser.parse(date)
		except ValueError:
			return None
	date = date + relativedelta(
		years=years, months=months, weeks=weeks, days=days, hours=hours, minutes=minutes, seconds=seconds
	)
	if as_string:
		if as_datetime:
			return date.strftime(DATETIME_FORMAT)
		return date.strftime(DATE_FORMAT)
	return date


def add_days(date, days):
	return add_to_date(date, days=days)


def add_months(date, months):
	return add_to_date(date, months=months)


def add_years(date, years):
	return add_to_date(date, years=years)


def date_diff(string_ed_date, string_st_date):
	return (getdate(string_ed_date) - getdate(string_st_date)).days


def time_diff_in_seconds(string_ed_date, string_st_date):
	return (get_datetime(string_ed_date) - get_datetime(string_st_date)).total_seconds()


def get_date_str(date_obj):
	if isinstance(date_obj, str):
		date_obj = get_datetime(date_obj)
	return date_obj.strftime(DATE_FORMAT)


def get_datetime_str(datetime_obj):
	if isinstance(datetime_obj, str):
		datetime_obj = get_datetime(datetime_obj)
	return datetime_obj.strftime(DATETIME_FORMAT)


# Babel-style date/time patterns of Frappe's System Settings (dd-mm-yyyy, HH:mm:ss, ...) as strftime.
_BABEL_TOKENS = re.compile(r"yyyy|yy|MM|dd|HH|mm|ss")
_STRFTIME = {"yyyy": "%Y", "yy": "%y", "MM": "%m", "dd": "%d", "HH": "%H", "mm": "%M", "ss": "%S"}


def _babel_format(value, pattern):
	return _BABEL_TOKENS.sub(lambda m: value.strftime(_STRFTIME[m.group()]), pattern)


def get_user_date_format() -> str:
	"""The site's date format (default `date_format`), "yyyy-mm-dd" when unset."""
	import frappe

	if getattr(frappe.local, "user_date_format", None) is None:
		frappe.local.user_date_format = frappe.db.get_default("date_format")
	return frappe.local.user_date_format or "yyyy-mm-dd"


def get_user_time_format() -> str:
	import frappe

	if getattr(frappe.local, "user_time_format", None) is None:
		frappe.local.user_time_format = frappe.db.get_default("time_format")
	return frappe.local.user_time_format or "HH:mm:ss"


def format_date(string_date=None, format_string=None, parse_day_first=False) -> str:
	"""A date in the user's date format (frappe.utils.data.format_date; Frappe renders it with babel)."""
	if not string_date:
		return ""
	date = getdate(string_date, parse_day_first)
	format_string = (format_string or get_user_date_format()).replace("mm", "MM").replace("Y", "y")
	return _babel_format(date, format_string)


formatdate = format_date


def format_time(time_string=None, format_string=None) -> str:
	if not time_string:
		return ""
	return _babel_format(get_time(time_string), format_string or get_user_time_format())


def format_datetime(datetime_string, format_string=None):
	if not datetime_string:
		return
	value = get_datetime(datetime_string)
	format_string = format_string or (
		get_user_date_format().replace("mm", "MM") + " " + get_user_time_format()
	)
	if "%" in format_string:
		return value.strftime(format_string)
	return _babel_format(value, format_string.replace("Y", "y"))


number_format_info = {
	"#,###.##": (".", ",", 2),
	"#.###,##": (",", ".", 2),
	"# ###.##": (".", " ", 2),
	"# ###,##": (",", " ", 2),
	"#'###.##": (".", "'", 2),
	"#, ###.##": (".", ", ", 2),
	"#,##,###.##": (".", ",", 2),
	"#,###.###": (".", ",", 3),
	"#.###": ("", ".", 0),
	"#,###": ("", ",", 0),
	"#.########": (".", "", 8),
}


def get_number_format_info(format: str) -> tuple[str, str, int]:
	return number_format_info.get(format) or (".", ",", 2)


def fmt_money(amount, precision=None, currency=None, format=None) -> str:
	"""A number with the site's thousands separators and decimals (frappe.utils.data.fmt_money); a currency
	adds its symbol (KES: "Sh")."""
	import frappe

	number_format = format or frappe.db.get_default("number_format") or "#,###.##"
	if precision is None:
		precision = cint(frappe.db.get_default("currency_precision")) or None
	decimal_str, comma_str, number_format_precision = get_number_format_info(number_format)
	if precision is None:
		precision = number_format_precision
	if isinstance(amount, str):
		amount = flt(amount, precision)
	if amount is None:
		amount = 0
	if decimal_str:
		decimals_after = str(round(amount % 1, precision))
		parts = decimals_after.split(".")
		decimals = parts[1] if len(parts) > 1 else parts[0]
		if precision > 2:
			if len(decimals) < 3:
				if currency:
					fraction = _currency_info(currency).get("fraction_units") or 100
					precision = len(cstr(fraction)) - 1
				else:
					precision = number_format_precision
			elif len(decimals) < precision:
				precision = len(decimals)
	amount = "%.*f" % (precision, round(flt(amount), precision))
	decimals = "" if amount.find(".") == -1 else amount.split(".")[1]
	parts = []
	minus = "-" if flt(amount) < 0 else ""
	amount = cstr(abs(flt(amount))).split(".", 1)[0]
	if len(amount) > 3:
		parts.append(amount[-3:])
		amount = amount[:-3]
		val = 2 if number_format == "#,##,###.##" else 3
		while len(amount) > val:
			parts.append(amount[-val:])
			amount = amount[:-val]
	parts.append(amount)
	parts.reverse()
	amount = comma_str.join(parts) + ((precision and decimal_str) and (decimal_str + decimals) or "")
	if amount != "0":
		amount = minus + amount
	if currency:
		# v15 shows the Currency's symbol (Currency records come from country_info.json), else the code
		amount = f"{_currency_info(currency).get('symbol') or currency} {amount}"
	return amount


def _currency_info(currency):
	"""{symbol, fraction_units} of a currency, from the data v15 installs its Currency records from."""
	global _CURRENCIES
	if _CURRENCIES is None:
		import os

		path = os.path.join(os.path.dirname(os.path.dirname(__file__)), "geo", "currency_info.json")
		with open(path, encoding="utf-8") as f:
			_CURRENCIES = json.load(f)
	return _CURRENCIES.get(currency) or {}


_CURRENCIES = None


def rounded(num, precision=0, rounding_method=None):
	"""v15's rounded(). The default is v15's default, "Banker's Rounding (legacy)" (System Settings'
	`rounding_method` is not read: frappe_lite's System Settings has no such field)."""
	precision = cint(precision)
	rounding_method = rounding_method or "Banker's Rounding (legacy)"
	if rounding_method == "Banker's Rounding (legacy)":
		return _bankers_rounding_legacy(num, precision)
	if rounding_method == "Banker's Rounding":
		return _bankers_rounding(num, precision)
	if rounding_method == "Commercial Rounding":
		return _round_away_from_zero(num, precision)
	import frappe

	frappe.throw(frappe._("Unknown Rounding Method: {}").format(rounding_method))


def _bankers_rounding_legacy(num, precision):
	# as v15: half-even only without precision (an int back), else a tie rounds up
	multiplier = 10**precision
	num = round(num * multiplier if precision else num, 8)
	floor_num = math.floor(num)
	decimal_part = num - floor_num
	if not precision and decimal_part == 0.5:
		num = floor_num if (floor_num % 2 == 0) else floor_num + 1
	elif decimal_part == 0.5:
		num = floor_num + 1
	else:
		num = round(num)
	return (num / multiplier) if precision else num


def _round_away_from_zero(num, precision):
	if num == 0:
		return 0.0
	epsilon = 2.0 ** (math.log(abs(num), 2) - 52.0)
	return round(num + math.copysign(epsilon, num), precision)


def _bankers_rounding(num, precision):
	multiplier = 10**precision
	num = round(num * multiplier, 12)
	if num == 0:
		return 0.0
	floor_num = math.floor(num)
	decimal_part = num - floor_num
	epsilon = 2.0 ** (math.log(abs(num), 2) - 52.0)
	if abs(decimal_part - 0.5) < epsilon:
		num = floor_num if (floor_num % 2 == 0) else floor_num + 1
	else:
		num = round(num)
	return num / multiplier


def flt(s, precision=None, rounding_method=None) -> float:
	"""Convert to float (0.0 on failure), stripping commas; rounds when precision is given."""
	if isinstance(s, str):
		s = s.replace(",", "")
	try:
		num = float(s)
		if precision is not None:
			num = rounded(num, precision, rounding_method)
	except Exception:
		num = 0.0
	return num


def cint(s, default: int = 0) -> int:
	"""Convert to int: int(s), then int(float(s)), else default."""
	try:
		return int(s)
	except Exception:
		try:
			return int(float(s))
		except Exception:
			return default


def cstr(s, encoding="utf-8") -> str:
	if s is None:
		return ""
	if isinstance(s, bytes):
		return s.decode(encoding)
	return str(s)


def sbool(x):
	if isinstance(x, str):
		val = x.lower()
		if val in ("true", "1"):
			return True
		if val in ("false", "0"):
			return False
	return x


def strip(val, chars=None):
	return (val or "").replace("\ufeff", "").replace("\u200b", "").strip(chars)


def encode(obj, encoding="utf-8"):
	if isinstance(obj, str):
		return obj.encode(encoding)
	return obj


def is_html(text):
	if not isinstance(text, str):
		return False
	return re.search("<[^>]+>", text)


def parse_json(val):
	if isinstance(val, str):
		val = json.loads(val)
	if isinstance(val, dict):
		import frappe

		val = frappe._dict(val)
	return val


def comma_and(some_list, add_quotes=True):
	if isinstance(some_list, (list, tuple)):
		some_list = [(f"'{d}'" if add_quotes else f"{d}") for d in some_list]
		if len(some_list) == 1:
			return some_list[0]
		return ", ".join(some_list[:-1]) + " and " + some_list[-1]
	return some_list


def escape_html(text):
	if not isinstance(text, str):
		return text
	return (
		text.replace("&", "&amp;")
		.replace("<", "&lt;")
		.replace(">", "&gt;")
		.replace('"', "&quot;")
		.replace("'", "&apos;")
	)


def get_url(uri=None):
	import frappe

	host = frappe.local.conf.get("host_name") or f"http://{frappe.local.site}"
	if not host.startswith("http"):
		host = "http://" + host
	if uri:
		return host.rstrip("/") + "/" + uri.lstrip("/")
	return host


TIMEDELTA_DAY_PATTERN = re.compile(
	r"(?P<days>[-\d]+) day[s]*, (?P<hours>\d+):(?P<minutes>\d+):(?P<seconds>\d[\.\d+]*)"
)
TIMEDELTA_BASE_PATTERN = re.compile(r"(?P<hours>\d+):(?P<minutes>\d+):(?P<seconds>\d[\.\d+]*)")


def parse_timedelta(s: str) -> datetime.timedelta:
	"""A timedelta from "H:M:S[.f]" or "N day(s), H:M:S" (str() of a timedelta)."""
	m = TIMEDELTA_DAY_PATTERN.match(s) if "day" in s else TIMEDELTA_BASE_PATTERN.match(s)
	return datetime.timedelta(**{key: float(val) for key, val in m.groupdict().items()})


_striptags_re = re.compile(r"<[^>]*>")


def strip_html(text: str) -> str:
	"""removes anything enclosed in and including <>"""
	return _striptags_re.sub("", text)
