# frappe.utils: re-exports frappe/utils/data.py plus the few general helpers the app uses (as Frappe does).
import hashlib
import random
import string

from frappe.utils.data import *  # noqa: F401,F403
from frappe.utils.data import cint, cstr, flt  # noqa: F401


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
