# The API version of the current request (Frappe v15 keeps these in frappe/api/__init__.py; here they sit
# apart so utils/response.py can ask without importing the routes, which import it).
from enum import Enum

import frappe


class ApiVersion(str, Enum):
	V1 = "v1"
	V2 = "v2"


def get_api_version() -> ApiVersion | None:
	if not frappe.request:
		return None
	if frappe.request.path.startswith(f"/api/{ApiVersion.V2.value}"):
		return ApiVersion.V2
	return ApiVersion.V1
