# REST routing as Frappe v15 (frappe/api/__init__.py): `/api/...` and `/api/v1/...` are the same
# v1 rules, `/api/v2/...` the v2 ones; an endpoint's non-None return value goes out as `{"data": ...}`.

from werkzeug.exceptions import NotFound
from werkzeug.routing import Map, Submount
from werkzeug.wrappers import Request, Response

import frappe
from frappe.api.utils import ApiVersion, get_api_version  # noqa: F401 (Frappe's names, here as in v15)
from frappe.api.v1 import url_rules as v1_url_rules
from frappe.api.v2 import url_rules as v2_url_rules
from frappe.utils.response import build_response


def handle(request: Request):
	"""Dispatch an `/api/` request to its endpoint and build the response."""
	try:
		endpoint, arguments = API_URL_MAP.bind_to_environ(request.environ).match()
	except NotFound:  # wrap 404, as Frappe does for backward compatibility
		raise frappe.DoesNotExistError from None

	data = endpoint(**arguments)
	if isinstance(data, Response):
		return data

	if data is not None:
		frappe.response["data"] = data
	return build_response("json")


API_URL_MAP = Map(
	[
		Submount("/api", v1_url_rules),
		Submount("/api/v1", v1_url_rules),
		Submount("/api/v2", v2_url_rules),
	],
	strict_slashes=False,  # allows skipping trailing slashes
	merge_slashes=False,
)
