"""The callback secret is written to no record the app keeps: Error Logs, refused bodies.

The secret travels in the query string of the URLs registered with Safaricom (``?token=...``), so it can
reach a record by a traceback that shows a request's URL, an exception message quoting one, or a caller
that put it in a body. ``scrub`` replaces every ``token=`` (and similar) value and every occurrence of the
site's current secret with ``[redacted]``; ``scrub_error_log`` runs it on every Error Log before it is
inserted (hooks.py doc_events), whoever writes it (the app, Frappe's own error snapshot)."""

import re

REDACTED = "[redacted]"
# A query-string or form value whose name says it is a secret (the URL secret is ``token``).
_SECRET_PARAMETER = re.compile(
	r"(?i)((?:[?&;]|%3F|%26)(?:token|secret|api_secret|api_key|password|pwd|sid)(?:=|%3D))[^&\s\"'<>#]+"
)


def scrub(text, secrets=()):
	"""``text`` with secret query values and each of ``secrets`` replaced by ``[redacted]``."""
	if not isinstance(text, str) or not text:
		return text
	for secret in secrets:
		if secret and len(secret) >= 8:
			text = text.replace(secret, REDACTED)
	return _SECRET_PARAMETER.sub(lambda m: m.group(1) + REDACTED, text)


def site_secrets() -> tuple:
	"""The site's callback secret (none when it cannot be read: then only ``token=`` values are scrubbed)."""
	try:
		from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
			get_callback_secret,
		)

		return (get_callback_secret(),)
	except Exception:
		return ()


def scrub_error_log(doc, method=None):
	"""doc_events Error Log before_insert: no secret in what an Error Log keeps."""
	secrets = site_secrets()
	for field in ("error", "method"):
		value = doc.get(field)
		if value:
			doc.set(field, scrub(value, secrets))
