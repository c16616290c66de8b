# Document naming, following frappe/model/naming.py (v15).
import base64
import re
import time

import frappe
from frappe import _
from frappe.exceptions import InvalidNamingSeriesError
from frappe.utils.data import cint, cstr, now_datetime

NAMING_SERIES_PATTERN = re.compile(r"^[\w\- \/.#{}]+$", re.UNICODE)
BRACED_PARAMS_PATTERN = re.compile(r"(\{[\w | #]+\})")


def set_new_name(doc):
	"""Order: before_naming → Single → controller autoname() → JSON autoname → hash; then validate."""
	doc.run_method("before_naming")
	autoname = frappe.get_meta(doc.doctype).get("autoname") or ""
	if getattr(doc, "_name_set_by_caller", False) or (doc.name and autoname.lower() == "prompt"):
		validate_name(doc.doctype, doc.name)
		return
	doc.name = None
	if frappe.get_meta(doc.doctype).issingle:
		doc.name = doc.doctype
	elif getattr(doc, "amended_from", None):
		doc.name = _get_amended_name(doc)
	elif hasattr(doc, "autoname") and callable(doc.autoname):
		doc.run_method("autoname")
	if not doc.name:
		set_name_from_naming_options(autoname, doc)
	if not doc.name:
		doc.name = make_autoname("hash", doc.doctype)
	doc.name = validate_name(doc.doctype, doc.name)


def _get_amended_name(doc):
	am_id = 1
	am_prefix = doc.amended_from
	if frappe.db.get_value(doc.doctype, doc.amended_from, "amended_from"):
		am_id = cint(doc.amended_from.split("-")[-1]) + 1
		am_prefix = "-".join(doc.amended_from.split("-")[:-1])
	return am_prefix + "-" + str(am_id)


def set_name_from_naming_options(autoname, doc):
	_autoname = (autoname or "").lower()
	if _autoname.startswith("field:"):
		doc.name = _field_autoname(autoname, doc)
	elif _autoname.startswith("naming_series:"):
		set_name_by_naming_series(doc)
	elif _autoname.startswith("prompt"):
		if not doc.name:
			frappe.throw(_("Please set the document name"), frappe.NameError)
	elif _autoname.startswith("format:"):
		doc.name = _format_autoname(autoname, doc)
	elif _autoname == "hash":
		doc.name = make_autoname("hash", doc.doctype)
	elif "#" in autoname:
		doc.name = make_autoname(autoname, doc=doc)


def _field_autoname(autoname, doc, skip_slicing=None):
	fieldname = autoname if skip_slicing else autoname[6:]
	name = (cstr(doc.get(fieldname)) or "").strip()
	if not name:
		frappe.throw(
			_("{0} is required").format(frappe.get_meta(doc.doctype).get_label(fieldname)),
			frappe.MandatoryError,
		)
	return name


def set_name_by_naming_series(doc):
	if not doc.get("naming_series"):
		df = frappe.get_meta(doc.doctype).get_field("naming_series")
		options = [o for o in (df.options or "").split("\n") if o.strip()] if df else []
		doc.naming_series = options[0] if options else None
	if not doc.naming_series:
		frappe.throw(_("Naming Series mandatory"), frappe.MandatoryError)
	doc.name = make_autoname(doc.naming_series + ".#####", "", doc)


def _format_autoname(autoname, doc):
	"""format:PRE-{MM}-{fieldname}-{#####}: each braced part is parsed on its own, so a counter's key is
	only that part's prefix (Frappe keeps `format:DRV-112{###}` under the key '' — faithfully copied)."""
	first_colon_index = autoname.find(":")
	autoname_value = autoname[first_colon_index + 1 :]

	def get_param_value_for_match(match):
		param = match.group()
		return parse_naming_series([param[1:-1]], doc=doc)

	return BRACED_PARAMS_PATTERN.sub(get_param_value_for_match, autoname_value)


def make_autoname(key="", doctype="", doc="", *, ignore_validate=False):
	"""`DRV-.#####` → DRV-00001, keyed by the prefix built so far; `hash` → 10 random chars."""
	if key == "hash":
		return _generate_random_string(10)
	series = key
	if "#" not in series:
		series = series + ".#####"
	if "." not in series:
		frappe.throw(
			_("Invalid naming series (. missing)") + (f" for {doctype}" if doctype else ""),
			InvalidNamingSeriesError,
		)
	if not ignore_validate and not NAMING_SERIES_PATTERN.match(series):
		frappe.throw(
			_(
				"Special Characters except '-', '#', '.', '/', '{{' and '}}' not allowed in naming series {0}"
			).format(series),
			InvalidNamingSeriesError,
		)
	return parse_naming_series(series.split("."), doc=doc)


def parse_naming_series(parts, doctype=None, doc=None, number_generator=None):
	if isinstance(parts, str):
		parts = parts.split(".")
	name = ""
	series_set = False
	today = now_datetime()
	for e in parts:
		if not e:
			continue
		part = ""
		if e.startswith("#"):
			if not series_set:
				digits = len(e)
				part = getseries(name, digits)
				series_set = True
		elif e == "YY":
			part = today.strftime("%y")
		elif e == "MM":
			part = today.strftime("%m")
		elif e == "DD":
			part = today.strftime("%d")
		elif e == "YYYY":
			part = today.strftime("%Y")
		elif e == "WW":
			part = today.strftime("%W")
		elif e == "timestamp":
			part = str(today)
		elif doc and doc.get(e):
			part = cstr(doc.get(e))
		elif e.startswith("{") and doc:
			e = e.replace("{", "").replace("}", "")
			part = cstr(doc.get(e))
		else:
			part = e
		if isinstance(part, str):
			name += part
	return name


def getseries(key, digits):
	"""Next counter for `key` from tabSeries, under a locking read (undone by a rollback)."""
	current = frappe.db.sql("select `current` from `tabSeries` where `name`=%s for update", (key,))
	if current and current[0][0] is not None:
		current = cint(current[0][0]) + 1
		frappe.db.sql("update `tabSeries` set `current` = `current` + 1 where `name`=%s", (key,))
	else:
		frappe.db.sql("insert into `tabSeries` (`name`, `current`) values (%s, 1)", (key,))
		current = 1
	return ("%0" + str(digits) + "d") % current


def revert_series_if_last(key, name, doc=None):
	pass


def _generate_random_string(length=10):
	"""4 base32hex chars of deciseconds since epoch + 6 random chars (Frappe v15 hash naming)."""
	import secrets

	from_time = int(time.time() * 10) & (2**20 - 1)
	prefix = base64.b32hexencode(from_time.to_bytes(5, "big")).decode().lower()[-4:]
	alphabet = "0123456789abcdefghijklmnopqrstuv"
	return (prefix + "".join(secrets.choice(alphabet) for _ in range(length - 4)))[:length]


def validate_name(doctype, name, case=None):
	if not name:
		frappe.throw(_("No Name Specified for {0}").format(doctype))
	if isinstance(name, int):
		return name
	if name.startswith("New " + doctype):
		frappe.throw(
			_("There were some errors setting the name, please contact the administrator"), frappe.NameError
		)
	if case == "Title Case":
		name = name.title()
	if case == "UPPER CASE":
		name = name.upper()
	name = name.strip()
	if not frappe.get_meta(doctype).get("issingle") and (doctype == name) and (name != "DocType"):
		frappe.throw(_("Name of {0} cannot be {1}").format(doctype, name), frappe.NameError)
	special_characters = "<|>"
	if re.findall(rf"[{special_characters}]+", name):
		message = ", ".join(f"'{c}'" for c in special_characters)
		frappe.throw(_("Name cannot contain special characters like {0}").format(message), frappe.NameError)
	return name
