# frappe.utils: re-exports frappe/utils/data.py plus the few general helpers the app uses (as Frappe does).
import hashlib
import json
import os
import random
import string
import tempfile

from frappe.utils.data import *  # noqa: F401,F403
from frappe.utils.data import cint, cstr, flt  # noqa: F401
from frappe.utils.html_utils import sanitize_html  # noqa: F401


def random_string(length: int) -> str:
	return "".join(random.SystemRandom().choice(string.ascii_letters + string.digits) for _ in range(length))


def generate_hash(txt: str | None = None, length: int = 56) -> str:
	import secrets

	if txt:
		return hashlib.sha224(txt.encode()).hexdigest()[:length]
	return secrets.token_hex((length + 1) // 2)[:length]


def get_traceback(with_context=False) -> str:
	import traceback

	return traceback.format_exc()


def update_site_config(key, value, validate=True, site_config_path=None):
	"""Set `key` in site_config.json (or `site_config_path`) and in frappe.local.conf, as Frappe's
	installer.update_site_config: "0"/"1" become ints, "true"/"false" booleans, "None" removes the key.
	Here, below frappe.installer, because utils.password writes the site's encryption key with it."""
	import frappe

	if value in ("0", "1"):
		value = int(value)
	elif value == "false":
		value = False
	elif value == "true":
		value = True
	path = site_config_path or os.path.join(frappe.local.site_path, "site_config.json")
	write_config_value(path, key, None if value == "None" else value)
	if hasattr(frappe.local, "conf"):
		frappe.local.conf[key] = value


def write_config_value(path: str, key: str, value):
	"""Set `key` in a JSON config file (None removes it), atomically."""
	config = {}
	if os.path.exists(path):
		with open(path) as f:
			config = json.load(f)
	if value is None:
		config.pop(key, None)
	else:
		config[key] = value
	fd, tmp = tempfile.mkstemp(dir=os.path.dirname(os.path.abspath(path)), suffix=".json")
	with os.fdopen(fd, "w") as f:
		json.dump(config, f, indent=1, sort_keys=True)
	os.replace(tmp, path)
