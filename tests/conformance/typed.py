"""How a scenario's result is written down: every value with its Python type, volatile parts normalised.

Used inside the probed process (frappe_lite's or a real bench's python), so it imports nothing but the standard
library. `encode(value, tag)` turns a result into JSON: a leaf becomes `[type name, value]`, a list or tuple
`[type name, [items]]`, a mapping `[type name, {key: item}]`. Normalised, so two runs on different sites can be
compared: the run's tag (unique names) becomes `<tag>`; dates, datetimes and times within a day of now become
`<today>`, `<now>`, `<now-time>`; 10-40 character hex hashes become `<hash>`; digits of series names are kept
(scenarios reduce names to their shape themselves where a counter depends on the site's history)."""

import datetime
import re
from decimal import Decimal

DATETIME_RE = re.compile(r"\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:\.\d+)?")
DATE_RE = re.compile(r"(?<![\d-])\d{4}-\d{2}-\d{2}(?![\d:])")
TIME_RE = re.compile(r"(?<![\d:-])\d{1,2}:\d{2}:\d{1,2}(?:\.\d+)?(?![\d])")
# v15's hash names: 10 characters of base32 (0-9a-v); tokens and secrets: 32-64 hex digits
HASH_RE = re.compile(
	r"(?<![0-9a-z])(?=[0-9a-v]{0,9}[0-9])(?=[0-9a-v]{0,9}[a-v])[0-9a-v]{10}(?![0-9a-z])"
	r"|(?<![0-9a-z])[0-9a-f]{32,64}(?![0-9a-z])"
)
# "[Probe Record, abcdefghij]": a hash name inside Frappe's messages, letters only or not
DOC_REF_RE = re.compile(r"\[([A-Z][A-Za-z ]+), [0-9a-v]{10}\]")
# ('Probe Record', 'abcdefghij', ...): an exception's arguments naming a hash-named document
DOC_ARGS_RE = re.compile(r"\('([A-Z][A-Za-z ]+)', '[0-9a-v]{10}'")
MOMENT_RE = re.compile(f"(?P<dt>{DATETIME_RE.pattern})|(?P<d>{DATE_RE.pattern})|(?P<t>{TIME_RE.pattern})")
TRACEBACK_RE = re.compile(r"Traceback \(most recent call last\):.*", re.S)


def _near(dt: datetime.datetime) -> bool:
	return abs((dt - datetime.datetime.now()).total_seconds()) < 2 * 86400


def _now_time(seconds: float) -> bool:
	"""A time of day that is "now" in some whole-hour time zone (sites' zones differ from the process's): it
	carries microseconds (Frappe's nowtime() does; the fixed times scenarios set never do) and lies within 15
	minutes of now, modulo the hour."""
	if float(seconds).is_integer():
		return False
	now = datetime.datetime.now()
	current = now.hour * 3600 + now.minute * 60 + now.second
	delta = (seconds - current) % 3600
	return min(delta, 3600 - delta) < 900


SERIES_RE = re.compile(r"\bPST-\d{4}\b")


def norm_str(text: str, tag=None) -> str:
	"""`tag`: the run's tag, or a mapping {volatile text: placeholder} (the tag, the database name...)."""
	for old, new in _replacements(tag):
		text = text.replace(old, new)
	if "Traceback (most recent call last)" in text:
		last = [line for line in text.strip().splitlines() if line.strip()][-1:]
		text = TRACEBACK_RE.sub("<traceback> " + (last[0].strip() if last else ""), text)

	def dt(m):
		try:
			value = datetime.datetime.fromisoformat(m.group(0).replace("T", " "))
		except ValueError:
			return m.group(0)
		return "<now>" if _near(value) else m.group(0)

	def d(m):
		try:
			value = datetime.date.fromisoformat(m.group(0))
		except ValueError:
			return m.group(0)
		return "<today>" if abs((value - datetime.date.today()).days) <= 1 else m.group(0)

	def t(m):
		h, mi, s = m.group(0).split(":")
		try:
			seconds = int(h) * 3600 + int(mi) * 60 + float(s)
		except ValueError:
			return m.group(0)
		return "<now-time>" if _now_time(seconds) else m.group(0)

	# one pass, datetimes first: a datetime's time part is never looked at as a time of its own
	def any_moment(m):
		if m.group("dt"):
			return dt(m)
		if m.group("d"):
			return d(m)
		return t(m)

	text = MOMENT_RE.sub(any_moment, text)
	# A `format:` series counter lives under the site-wide key '' (v15 parse_naming_series): its value depends on
	# how many documents any format-named DocType made on the site before, not on the behaviour compared.
	text = SERIES_RE.sub("PST-<n>", text)
	text = DOC_REF_RE.sub(lambda m: f"[{m.group(1)}, <hash>]", text)
	text = DOC_ARGS_RE.sub(lambda m: f"('{m.group(1)}', '<hash>'", text)
	return HASH_RE.sub("<hash>", text)


def _replacements(tag):
	if not tag:
		return ()
	if isinstance(tag, str):
		return ((tag, "<tag>"),)
	return tuple((k, v) for k, v in tag.items() if k)


def encode(value, tag=None):
	kind = type(value).__name__
	if value is None or isinstance(value, bool | int):
		return [kind, value]
	if isinstance(value, float):
		return [kind, repr(value)]
	if isinstance(value, Decimal):
		return [kind, str(value)]
	if isinstance(value, str):
		return [kind, norm_str(value, tag)]
	if isinstance(value, bytes):
		return [kind, norm_str(value.decode("utf-8", "replace"), tag)]
	if isinstance(value, datetime.datetime):
		return [kind, "<now>" if _near(value) else value.isoformat(" ")]
	if isinstance(value, datetime.date):
		return [kind, "<today>" if abs((value - datetime.date.today()).days) <= 1 else value.isoformat()]
	if isinstance(value, datetime.timedelta):
		return [kind, "<now-time>" if _now_time(value.total_seconds()) else str(value)]
	if isinstance(value, datetime.time):
		seconds = value.hour * 3600 + value.minute * 60 + value.second + value.microsecond / 1e6
		return [kind, "<now-time>" if _now_time(seconds) else value.isoformat()]
	if isinstance(value, dict):
		return [kind, {str(k): _encode_item(k, v, tag) for k, v in value.items()}]
	if isinstance(value, list | tuple):
		return [kind, [encode(v, tag) for v in value]]
	if isinstance(value, set | frozenset):
		return [kind, [encode(v, tag) for v in sorted(value, key=repr)]]
	if isinstance(value, BaseException):
		return [kind, norm_str(str(value), tag)]
	# anything else (a Document, a DocStatus...): its class name and its text
	return [kind, norm_str(str(value), tag)]


def _encode_item(key, value, tag):
	# a document's `name` that is a hash name, even one without a digit (which HASH_RE leaves alone)
	if key in ("name", "parent") and isinstance(value, str) and re.fullmatch(r"[0-9a-v]{10}", value):
		return ["str", "<hash>"]
	return encode(value, tag)


def describe_exception(e: BaseException, tag=None) -> dict:
	"""What a raised exception looks like to calling code: class, Frappe bases, message, status code."""
	bases = [
		c.__name__
		for c in type(e).__mro__[1:]
		if c.__module__.startswith(("frappe", "pymysql", "builtins"))
		and c.__name__ not in ("object", "BaseException")
	]
	return {
		"raised": type(e).__name__,
		"bases": bases,
		"message": norm_str(str(e), tag),
		"http_status_code": getattr(e, "http_status_code", None),
	}
