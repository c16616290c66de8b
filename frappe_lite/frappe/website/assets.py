# `/assets/<app>/<path>` from `<app>/public/<path>`: what a bench's `sites/assets/<app>` symlink and
# nginx (or Frappe's SharedDataMiddleware under `bench serve`) provide. Only Frappe apps (packages
# with a hooks.py) are served, and never outside their public folder.

import importlib.util
import os

from werkzeug.exceptions import NotFound
from werkzeug.utils import send_from_directory

ASSETS_PREFIX = "/assets/"


def get_public_dir(app):
	"""`<app package>/public` if `app` is an importable Frappe app, else None."""
	if not app.isidentifier():
		return None
	try:
		spec = importlib.util.find_spec(app)
	except (ImportError, ValueError):
		return None
	if not spec or not spec.submodule_search_locations:
		return None
	for location in spec.submodule_search_locations:
		if os.path.isfile(os.path.join(location, "hooks.py")) and os.path.isdir(
			os.path.join(location, "public")
		):
			return os.path.join(location, "public")
	return None


class AppAssetsMiddleware:
	"""Answer /assets/ requests from app folders, pass everything else to the application."""

	def __init__(self, app):
		self.app = app

	def __call__(self, environ, start_response):
		path = environ.get("PATH_INFO", "")
		if not path.startswith(ASSETS_PREFIX) or environ.get("REQUEST_METHOD") not in ("GET", "HEAD"):
			return self.app(environ, start_response)

		app, _, rest = path[len(ASSETS_PREFIX) :].partition("/")
		public_dir = get_public_dir(app)
		try:
			if not public_dir or not rest:
				raise NotFound
			response = send_from_directory(public_dir, rest, environ, max_age=3600)
		except NotFound as e:
			return e(environ, start_response)
		return response(environ, start_response)
