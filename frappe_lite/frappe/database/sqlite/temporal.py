# What MariaDB (default sql_mode, STRICT_TRANS_TABLES) accepts in DATE, DATETIME and TIME columns, for the
# SQLite backend: a value it accepts is stored in its canonical text (so it reads back as a date, datetime
# or timedelta; datetime and time with six fractional digits, as Frappe writes them, so that text
# comparisons agree with MariaDB's); one it refuses makes the statement fail with MariaDB's error 1292, "Incorrect date value:
# '...' for column `db`.`table`.`column` at row 1". Checked on MariaDB 10.11: "2024-1-5", "20240105",
# "2024/01/05", "2024-01-05 10:00" (date part kept), "0000-00-00", "25:00:00", "10:00", "1000" are
# accepted; "2024-13-45", "2024-02-30", "garbage", "", "2024-01-05 25:00:00", "10:61:00" are refused.
import calendar
import re

_DATE = re.compile(r"^\s*(\d{1,4})[^\d](\d{1,2})[^\d](\d{1,2})(?:[ T](.*))?\s*$")
_COMPACT_DATE = re.compile(r"^\s*(\d{4})(\d{2})(\d{2})(?:[ T]?(\d{2})(\d{2})(\d{2})(?:\.(\d+))?)?\s*$")
_TIME = re.compile(r"^\s*(-)?(?:(\d+)\s+)?(\d{1,3}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d+))?\s*$")
_COMPACT_TIME = re.compile(r"^\s*(-)?(\d{1,7})(?:\.(\d+))?\s*$")
MAX_TIME_HOURS = 838


def _valid_date(y, m, d):
	if (y, m, d) == (0, 0, 0):
		return True  # the zero date (NO_ZERO_DATE is not in Frappe's sql_mode)
	if not 1 <= m <= 12 and m != 0:
		return False
	if m == 0 or d == 0:
		return d <= 31  # zero parts are allowed (NO_ZERO_IN_DATE is not set either)
	return 1 <= d <= calendar.monthrange(max(y, 1), m)[1]


def _micro(fraction):
	return int((fraction or "0")[:6].ljust(6, "0"))


def _clock(text):
	"""'HH:MM[:SS[.f]]' inside a date-time: (h, m, s, micro) or None."""
	m = re.match(r"^(\d{1,2}):(\d{1,2})(?::(\d{1,2}))?(?:\.(\d+))?$", text.strip())
	if not m:
		return None
	h, mi, s = int(m[1]), int(m[2]), int(m[3] or 0)
	if h > 23 or mi > 59 or s > 59:
		return None
	return h, mi, s, _micro(m[4])


_CANONICAL = {
	"date": re.compile(r"^\d{4}-\d{2}-\d{2}$"),
	"datetime": re.compile(r"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}\.\d{6}$"),
	"time": re.compile(r"^-?\d{2,3}:\d{2}:\d{2}\.\d{6}$"),
}


def canonical(value, kind):
	"""The canonical text of `value` for a `kind` ("date", "datetime", "time") column, or None if MariaDB
	would refuse it. Text already in canonical form is returned as it is, if valid; non-text values
	(numbers, bytes) are left to the column."""
	if not isinstance(value, str):
		return value
	if _CANONICAL[kind].match(value):
		normalised = _canonical_time(value) if kind == "time" else canonical(" " + value, kind)
		return value if normalised is not None else None
	if kind == "time":
		return _canonical_time(value)
	m = _DATE.match(value)
	if m:
		y, mo, d, rest = int(m[1]), int(m[2]), int(m[3]), m[4]
		clock = (0, 0, 0, 0)
		if rest is not None and rest.strip():
			clock = _clock(rest)
			if clock is None:
				return None
	else:
		m = _COMPACT_DATE.match(value)
		if not m:
			return None
		y, mo, d = int(m[1]), int(m[2]), int(m[3])
		clock = (0, 0, 0, 0)
		if m[4]:
			clock = (int(m[4]), int(m[5]), int(m[6]), _micro(m[7]))
			if clock[0] > 23 or clock[1] > 59 or clock[2] > 59:
				return None
	if not _valid_date(y, mo, d):
		return None
	date_text = f"{y:04d}-{mo:02d}-{d:02d}"
	if kind == "date":
		return date_text
	h, mi, s, micro = clock
	return f"{date_text} {h:02d}:{mi:02d}:{s:02d}.{micro:06d}"


def _canonical_time(value):
	m = _TIME.match(value)
	if m:
		sign, days, h, mi, s, frac = m[1], int(m[2] or 0), int(m[3]), int(m[4]), int(m[5] or 0), m[6]
	else:
		m = _COMPACT_TIME.match(value)
		if not m:
			return None
		sign, digits, frac = m[1], m[2].rjust(6, "0"), m[3]
		days, h, mi, s = 0, int(digits[:-4]), int(digits[-4:-2]), int(digits[-2:])
	h += days * 24
	if mi > 59 or s > 59 or h > MAX_TIME_HOURS:
		return None
	return f"{'-' if sign else ''}{h:02d}:{mi:02d}:{s:02d}.{_micro(frac):06d}"


def error_message(kind, value, db_name, table, column):
	return f"Incorrect {kind} value: '{value}' for column `{db_name}`.`{table}`.`{column}` at row 1"
