# Secrets kept out of the server's own logs (frappe_lite only; Frappe leaves this to the front proxy).
#
# Apps put secrets in URLs they register with third parties (a callback's ``?token=``), and Frappe's API keys
# can travel as ``?api_key=``/``?sid=``: gunicorn's access line and its "Error handling request <uri>" line
# would write them to the server log, and a traceback's exception message may quote a URL. Every line
# `frappe-lite serve` writes goes through `scrub` first: the VALUE of a secret-named query or form parameter
# becomes "[redacted]", the rest of the line is kept.
import logging
import re

REDACTED = "[redacted]"
SECRET_PARAMETERS = ("token", "secret", "api_secret", "api_key", "password", "pwd", "sid", "key")
_SECRET_VALUE = re.compile(
	r"(?i)((?:[?&;]|%3F|%26)(?:" + "|".join(SECRET_PARAMETERS) + r")(?:=|%3D))[^&\s\"'<>#]+"
)


def scrub(text):
	"""``text`` with the value of every secret-named query parameter replaced by [redacted]."""
	if not isinstance(text, str) or not text:
		return text
	return _SECRET_VALUE.sub(lambda m: m.group(1) + REDACTED, text)


class RedactingFilter(logging.Filter):
	"""Rewrites each record's message (and traceback) through `scrub` before any handler formats it."""

	def filter(self, record):
		record.msg = scrub(record.getMessage())
		record.args = None
		if record.exc_info:
			text = logging.Formatter().formatException(record.exc_info)
			record.exc_info = None
			record.exc_text = scrub(text)
		elif record.exc_text:
			record.exc_text = scrub(record.exc_text)
		return True


def redacting_gunicorn_logger():
	"""gunicorn's Logger class with the filter on its error and access logs (its ``logger_class``)."""
	from gunicorn.glogging import Logger

	class RedactingLogger(Logger):
		def setup(self, cfg):
			super().setup(cfg)
			for log in (self.error_log, self.access_log):
				if not any(isinstance(f, RedactingFilter) for f in log.filters):
					log.addFilter(RedactingFilter())

	return RedactingLogger
