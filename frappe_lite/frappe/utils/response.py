# Turning `frappe.response` into an HTTP response, as Frappe v15 does (frappe/utils/response.py):
# JSON by default, or csv / txt / download / binary / redirect when `frappe.response.type` says so.

import datetime
import decimal
import json
import mimetypes
import sys
import uuid
from collections.abc import Iterable

import werkzeug.utils
from werkzeug.local import LocalProxy
from werkzeug.wrappers import Response

import frappe
from frappe.model.base_document import BaseDocument
from frappe.utils import cint, cstr


def allow_error_traceback() -> bool:
	"""Frappe's System Settings `allow_error_traceback` (default on); site config may override it."""
	if "allow_error_traceback" in (frappe.conf or {}):
		return bool(cint(frappe.conf.allow_error_traceback))
	if not getattr(frappe.local, "db", None):
		return False
	try:
		value = frappe.db.get_single_value("System Settings", "allow_error_traceback")
	except Exception:
		value = None
	return True if value is None else bool(cint(value))


def report_error(status_code):
	"""Build the JSON error body (v1 API): `exc_type`, and `exception`/`exc` when tracebacks are allowed."""
	allow_traceback = (
		allow_error_traceback()
		and not frappe.local.flags.disable_traceback
		and (status_code != 404 or frappe.conf.logging)
	)

	traceback = frappe.utils.get_traceback()
	exc_type, exc_value, _ = sys.exc_info()

	if _api_v2():
		# v2: one `errors` entry, merged with the message the exception raised (its __frappe_exc_id)
		error_log = {"type": exc_type.__name__}
		if allow_traceback:
			error_log["exception"] = traceback
		_link_error_with_message_log(error_log, exc_value, getattr(frappe.local, "message_log", None) or [])
		frappe.local.response.errors = [error_log]
	else:
		if allow_traceback:
			errprint(traceback)
			frappe.response.exception = traceback.splitlines()[-1]
		frappe.response["exc_type"] = exc_type.__name__

	response = build_response("json")
	response.status_code = status_code
	return response


def _api_v2():
	from frappe.api.utils import ApiVersion, get_api_version

	return get_api_version() == ApiVersion.V2


def _link_error_with_message_log(error_log, exception, message_logs):
	for message in list(message_logs):
		if message.get("__frappe_exc_id") == getattr(exception, "__frappe_exc_id", None):
			error_log.update(message)
			message_logs.remove(message)
			error_log.pop("raise_exception", None)
			error_log.pop("__frappe_exc_id", None)
			return


def errprint(msg):
	"""Queue a traceback for the response's `exc` key (Frappe's frappe.errprint)."""
	if not hasattr(frappe.local, "error_log") or frappe.local.error_log is None:
		frappe.local.error_log = []
	frappe.local.error_log.append({"exc": msg})


def build_response(response_type=None):
	if "docs" in frappe.local.response and not frappe.local.response.docs:
		del frappe.local.response["docs"]

	response_type_map = {
		"csv": as_csv,
		"txt": as_txt,
		"download": as_raw,
		"json": as_json,
		"redirect": redirect,
		"binary": as_binary,
	}

	return response_type_map[frappe.response.get("type") or response_type]()


def _attachment_name(name):
	return cstr(name).encode("utf-8").decode("unicode-escape", "ignore")


def as_csv():
	return _as_named_attachment("text/csv", "csv")


def as_txt():
	return _as_named_attachment("text", "txt")


def _as_named_attachment(mimetype, extension):
	"""frappe.response["result"] as a download named after frappe.response["doctype"]."""
	response = Response()
	response.mimetype = mimetype
	filename = _attachment_name(f"{frappe.response['doctype']}.{extension}")
	response.headers.add("Content-Disposition", "attachment", filename=filename)
	response.data = frappe.response["result"]
	return response


def as_raw():
	response = Response()
	response.mimetype = (
		frappe.response.get("content_type")
		or mimetypes.guess_type(frappe.response["filename"])[0]
		or "application/unknown"
	)
	filename = _attachment_name(frappe.response["filename"])
	response.headers.add(
		"Content-Disposition",
		frappe.response.get("display_content_as", "attachment"),
		filename=filename,
	)
	response.data = frappe.response["filecontent"]
	return response


def as_binary():
	response = Response()
	response.mimetype = "application/octet-stream"
	filename = _attachment_name(frappe.response["filename"])
	response.headers.add("Content-Disposition", None, filename=filename)
	response.data = frappe.response["filecontent"]
	return response


def as_json():
	make_logs()

	response = Response()
	if frappe.local.response.http_status_code:
		response.status_code = frappe.local.response["http_status_code"]
		del frappe.local.response["http_status_code"]

	response.mimetype = "application/json"
	response.data = json.dumps(frappe.local.response, default=json_handler, separators=(",", ":"))
	return response


def redirect():
	return werkzeug.utils.redirect(frappe.response.location)


def make_logs():
	"""Move msgprint/throw messages and tracebacks into the response (v1 keys; v2: `messages`)."""
	response = frappe.local.response
	if _api_v2():
		if message_log := getattr(frappe.local, "message_log", None):
			response["messages"] = message_log
		return

	error_log = getattr(frappe.local, "error_log", None)
	if error_log and allow_error_traceback():
		response["exc"] = json.dumps([cstr(d["exc"]) for d in error_log])

	if message_log := getattr(frappe.local, "message_log", None):
		response["_server_messages"] = json.dumps([json.dumps(d, default=json_handler) for d in message_log])

	if frappe.flags.error_message:
		response["_error_message"] = frappe.flags.error_message


def format_timedelta(o: datetime.timedelta) -> str:
	"""Frappe's utils.data.format_timedelta: TIME columns go out as "H:MM:SS"."""
	hours, remainder = divmod(o.total_seconds(), 3600)
	minutes, seconds = divmod(remainder, 60)
	rounded_seconds = round(seconds, 6)
	int_seconds = int(seconds)
	seconds = int_seconds if rounded_seconds == int_seconds else rounded_seconds
	return f"{int(hours):01}:{int(minutes):02}:{seconds:02}"


def json_handler(obj):
	"""Serialize what json cannot: dates as str, Decimal as float, Documents as dicts (no nulls)."""
	from re import Match

	if isinstance(obj, datetime.date | datetime.datetime | datetime.time):
		return str(obj)

	elif isinstance(obj, datetime.timedelta):
		return format_timedelta(obj)

	elif isinstance(obj, decimal.Decimal):
		return float(obj)

	elif isinstance(obj, LocalProxy):
		return str(obj)

	elif isinstance(obj, BaseDocument):
		return obj.as_dict(no_nulls=True)

	elif isinstance(obj, Iterable):
		return list(obj)

	elif isinstance(obj, Match):
		return obj.string

	elif type(obj) is type or isinstance(obj, Exception):
		return repr(obj)

	elif callable(obj):
		return repr(obj)

	elif isinstance(obj, uuid.UUID):
		return str(obj)

	elif hasattr(obj, "__value__"):
		return obj.__value__()

	else:
		raise TypeError(f"""Object of type {type(obj)} with value of {obj!r} is not JSON serializable""")
