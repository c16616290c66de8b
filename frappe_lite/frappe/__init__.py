# frappe_lite: a small, faithful runtime for the slice of Frappe v15 that tuktuk_management uses.
# Module-level API as frappe/__init__.py: request-local state on a werkzeug Local, documents, db, hooks.
import importlib
import inspect
import json
import os

from werkzeug.local import Local, LocalProxy

from frappe.exceptions import *  # noqa: F403
from frappe.exceptions import (
	DoesNotExistError,
	IncorrectSitePath,
	PermissionError,
	ValidationError,
)
from frappe.utils.data import cstr

__version__ = "15.0.0-lite"
__title__ = "Frappe Framework (lite)"


class _dict(dict):
	"""dict like object that exposes keys as attributes; a missing key gives None."""

	__slots__ = ()
	__getattr__ = dict.get
	__setattr__ = dict.__setitem__
	__delattr__ = dict.__delitem__

	def __setstate__(self, d):
		self.update(d)

	def update(self, *args, **kwargs):
		super().update(*args, **kwargs)
		return self

	def copy(self):
		return _dict(self)


local = Local()
db = LocalProxy(lambda: local.db)
session = LocalProxy(lambda: local.session)
flags = LocalProxy(lambda: local.flags)
form_dict = LocalProxy(lambda: local.form_dict)
request = LocalProxy(lambda: local.request)
response = LocalProxy(lambda: local.response)
conf = LocalProxy(lambda: local.conf)
lang = LocalProxy(lambda: local.lang)


def _get_cache():
	from frappe.utils.redis_wrapper import get_cache

	return get_cache()


# frappe.cache (and frappe.cache(), as v15 allows both): the site's Redis cache (`redis_cache` in the site or
# common config), or an in-process one (frappe/utils/redis_wrapper.py).
cache = LocalProxy(_get_cache)

# whitelist registry (frappe.whitelisted etc.)
whitelisted = set()
guest_methods = set()
xss_safe_methods = set()
allowed_http_methods_for_whitelisted_func = {}

_site_config_cache = {}


def _(msg, lang=None, context=None) -> str:
	"""Translate `msg`; frappe_lite ships no translations, so this returns the message."""
	if not isinstance(msg, str):
		return msg
	return msg


def _lt(msg, lang=None, context=None):
	return msg


# ---- sites ----------------------------------------------------------------------------------------
def default_sites_path():
	return os.environ.get("FRAPPE_LITE_SITES_PATH") or os.path.abspath("sites")


def init(site: str, sites_path: str | None = None, new_site: bool = False, force: bool = False) -> None:
	"""Prepare request-local state for `site` (no database connection yet)."""
	if getattr(local, "initialised", None) and not force and local.site == site:
		return
	local.error_log = []
	local.message_log = []
	local.debug_log = []
	local.realtime_log = []
	local.flags = _dict(
		{
			"currently_saving": [],
			"redirect_location": "",
			"in_install_db": False,
			"in_install_app": False,
			"in_test": False,
		}
	)
	local.rollback_observers = []
	local.test_objects = {}
	local.site = site
	local.sites_path = os.path.abspath(sites_path or default_sites_path())
	local.site_path = os.path.join(local.sites_path, site)
	local.all_apps = None
	local.request_ip = None
	local.response = _dict({"docs": []})
	local.task_id = None
	local.conf = _dict(get_site_config(force=True))
	local.lang = local.conf.lang or "en"
	local.form_dict = _dict()
	local.request = None
	local.session = _dict({"user": "Guest", "sid": "Guest", "data": _dict()})
	local.user = None
	local.role_permissions = {}
	local.valid_columns = {}
	local.new_doc_templates = {}
	local.document_cache = {}
	local.system_timezone = None
	local.jenv = None
	local.jloader = None
	local.cache = {}
	local.db = None
	local.installed_apps = None
	local.hooks_cache = None
	local.initialised = True
	if not new_site and not os.path.exists(os.path.join(local.site_path, "site_config.json")):
		raise IncorrectSitePath(f"{site} does not exist")


def get_site_path(*joins):
	return os.path.join(local.site_path, *joins)


def get_site_config(sites_path=None, site_path=None, force=False):
	"""site_config.json merged over common_site_config.json."""
	config = {}
	sites_path = sites_path or getattr(local, "sites_path", None)
	site_path = site_path or getattr(local, "site_path", None)
	if sites_path:
		common = os.path.join(sites_path, "common_site_config.json")
		if os.path.exists(common):
			config.update(_read_json(common))
	if site_path:
		site_config = os.path.join(site_path, "site_config.json")
		if os.path.exists(site_config):
			config.update(_read_json(site_config))
	from frappe.database import get_dialect

	# backend-derived keys (a SQLite site's db_path)
	return _dict(get_dialect(config).complete_site_config(config, site_path))


def _read_json(path):
	with open(path) as f:
		try:
			return json.load(f)
		except json.JSONDecodeError as e:
			raise ValidationError(f"{path} is not valid JSON: {e}") from e


def connect(site: str | None = None, db_name: str | None = None, set_admin_as_user: bool = True) -> None:
	"""Make the site's Database frappe.local.db (it connects on its first statement, as v15's does) and become
	Administrator by default."""
	from frappe.database import get_db

	if site:
		init(site)
	local.db = get_db(local.conf)
	if set_admin_as_user:
		set_user("Administrator")


def connect_replica():
	return False


def destroy():
	"""Close the connection and drop request-local state."""
	if getattr(local, "db", None):
		local.db.close()
	local.release_local() if hasattr(local, "release_local") else None
	from werkzeug.local import release_local

	release_local(local)


def set_user(username: str):
	local.session = _dict(
		{"user": username, "sid": getattr(local, "session", _dict()).get("sid") or username, "data": _dict()}
	)
	local.session.user = username
	local.user_roles = None
	local.role_permissions = {}
	local.new_doc_templates = {}  # a template holds its owner (frappe.set_user)
	local.cache = {}
	local.user = username


def get_user():
	return _dict(name=session.user)


# ---- messages and errors ----------------------------------------------------------------------------
def msgprint(
	msg,
	title=None,
	raise_exception=0,
	as_table=False,
	as_list=False,
	indicator=None,
	alert=False,
	primary_action=None,
	is_minimizable=None,
	wide=None,
	realtime=False,
):
	"""Queue a message for the response (_server_messages); raise `raise_exception` if given. As v15: the
	title defaults to "Message", a raising message is red and carries an `__frappe_exc_id`."""
	out = _dict(message=msg)

	def _raise_exception():
		if raise_exception:
			if inspect.isclass(raise_exception) and issubclass(raise_exception, Exception):
				exc = raise_exception(msg)
			else:
				exc = ValidationError(msg)
			if out.__frappe_exc_id:
				exc.__frappe_exc_id = out.__frappe_exc_id
			raise exc

	# outside a site (no frappe.init: a CLI refusing its arguments) there are no flags to read
	if (getattr(local, "flags", None) or {}).get("mute_messages"):
		_raise_exception()
		return
	if as_table and type(msg) in (list, tuple):
		out.as_table = 1
	if as_list and type(msg) in (list, tuple):
		out.as_list = 1
	out.title = title or _("Message", context="Default title of the message dialog")
	if not indicator and raise_exception:
		indicator = "red"
	if indicator:
		out.indicator = indicator
	if is_minimizable:
		out.is_minimizable = is_minimizable
	if alert:
		out.alert = 1
	if raise_exception:
		out.raise_exception = 1
		out.__frappe_exc_id = generate_hash()
	if primary_action:
		out.primary_action = primary_action
	if wide:
		out.wide = wide
	if not hasattr(local, "message_log") or local.message_log is None:
		local.message_log = []
	local.message_log.append(out)
	_raise_exception()


def clear_messages():
	local.message_log = []


def clear_last_message():
	if getattr(local, "message_log", None):
		local.message_log = local.message_log[:-1]


def throw(
	msg,
	exc=ValidationError,
	title=None,
	is_minimizable=False,
	wide=False,
	as_list=False,
	primary_action=None,
):
	"""Queue `msg` (red) and raise `exc` (frappe.throw)."""
	msgprint(
		msg,
		raise_exception=exc,
		title=title,
		indicator="red",
		is_minimizable=is_minimizable,
		wide=wide,
		as_list=as_list,
	)


def bold(text):
	return f"<strong>{text}</strong>"


def get_traceback(with_context=False):
	import traceback

	return traceback.format_exc()


def log_error(title=None, message=None, reference_doctype=None, reference_name=None, *, defer_insert=False):
	"""Insert an Error Log (not committed). `message` is the traceback text, else the current traceback."""
	traceback = None
	if message:
		if "\n" in (title or ""):
			traceback, title = title, message
		else:
			traceback = message
	title = title or "Error"
	traceback = cstr(traceback or get_traceback(with_context=True))
	if traceback.strip() == "NoneType: None":
		traceback = title
	error_log = get_doc(
		doctype="Error Log",
		error=traceback,
		method=title,
		reference_doctype=reference_doctype,
		reference_name=reference_name,
	)
	if getattr(flags, "read_only", False):
		return error_log
	return error_log.insert(ignore_permissions=True)


def errprint(msg):
	print(msg)


# ---- whitelisting and calling -----------------------------------------------------------------------
def whitelist(allow_guest=False, xss_safe=False, methods=None):
	"""Make a function callable over /api/method (frappe.whitelist)."""
	if not methods:
		methods = ["GET", "POST", "PUT", "DELETE"]

	def innerfn(fn):
		from frappe.utils.typing_validations import in_request_or_test, validate_argument_types

		# Frappe registers (and returns) the wrapper that checks type hints during requests and tests.
		fn = validate_argument_types(fn, apply_condition=in_request_or_test)
		whitelisted.add(fn)
		allowed_http_methods_for_whitelisted_func[fn] = methods
		if allow_guest:
			guest_methods.add(fn)
			if xss_safe:
				xss_safe_methods.add(fn)
		return fn

	return innerfn


def is_whitelisted(method):
	"""Raise PermissionError unless `method` is whitelisted (and guest-allowed for Guest)."""
	is_guest = session["user"] == "Guest"
	if method not in whitelisted or is_guest and method not in guest_methods:
		summary = _("You are not permitted to access this resource.")
		detail = _("Function {0} is not whitelisted.").format(bold(f"{method.__module__}.{method.__name__}"))
		msg = f"<details><summary>{summary}</summary>{detail}</details>"
		throw(msg, PermissionError, title=_("Method Not Allowed"))
	if is_guest and method not in xss_safe_methods:
		for key, value in (getattr(local, "form_dict", None) or {}).items():
			if isinstance(value, str):
				form_dict[key] = _sanitize_html(value)


def _sanitize_html(value):
	from frappe.utils.html_utils import sanitize_html

	return sanitize_html(value)


def read_only():
	def innfn(fn):
		return fn

	return innfn


def get_newargs(fn, kwargs):
	"""Drop kwargs `fn` does not declare, unless it takes **kwargs (frappe.get_newargs)."""
	if hasattr(fn, "fnargs"):
		fnargs = fn.fnargs
	else:
		signature = inspect.signature(fn)
		fnargs = list(signature.parameters)
		if any(p.kind == inspect.Parameter.VAR_KEYWORD for p in signature.parameters.values()):
			fnargs.append("**kwargs")
	newargs = {}
	for a in kwargs:
		if (a in fnargs) or ("**kwargs" in fnargs):
			newargs[a] = kwargs.get(a)
	newargs.pop("ignore_permissions", None)
	newargs.pop("flags", None)
	return newargs


def call(fn, *args, **kwargs):
	"""Call `fn` (a callable or dotted path) with only the kwargs it accepts."""
	if isinstance(fn, str):
		fn = get_attr(fn)
	newargs = get_newargs(fn, kwargs)
	return fn(*args, **newargs)


def get_attr(method_string):
	"""The object at a dotted path `package.module.attr`."""
	app_name = method_string.split(".")[0]
	if not local.flags.in_uninstall and not local.flags.in_install and app_name not in get_installed_apps():
		if app_name != "frappe" and not getattr(local.flags, "allow_uninstalled_attr", False):
			raise AppNotInstalledError(_("App {0} is not installed").format(app_name))  # noqa: F405
	modulename = ".".join(method_string.split(".")[:-1])
	methodname = method_string.split(".")[-1]
	return getattr(get_module(modulename), methodname)


def get_module(modulename):
	return importlib.import_module(modulename)


def scrub(txt: str) -> str:
	"""Lowercase with spaces and hyphens as underscores: "TukTuk Driver" → "tuktuk_driver"."""
	return cstr(txt).replace(" ", "_").replace("-", "_").lower()


def unscrub(txt: str) -> str:
	return txt.replace("_", " ").replace("-", " ").title()


def get_app_path(app_name, *joins):
	return os.path.join(os.path.dirname(get_module(app_name).__file__), *joins)


def get_pymodule_path(modulename, *joins):
	return os.path.join(os.path.dirname(get_module(scrub(modulename)).__file__), *joins)


def get_module_path(module, *joins):
	from frappe.modules import get_module_app

	app = get_module_app(module)
	return get_pymodule_path(app + "." + scrub(module), *joins)


def get_installed_apps(*, _ensure_on_bench=False):
	"""Apps installed on the site, frappe first (stored as the global default `installed_apps`)."""
	if getattr(local, "installed_apps", None) is not None:
		return local.installed_apps
	apps = ["frappe"]
	if getattr(local, "db", None):
		try:
			value = local.db.get_global("installed_apps")
			if value:
				apps = json.loads(value)
		except Exception as e:
			if not (local.db.is_table_missing(e)):
				raise
			return apps
	local.installed_apps = apps
	return apps


def get_all_apps(with_internal_apps=True, sites_path=None):
	return get_installed_apps()


def get_hooks(hook: str | None = None, default=None, app_name: str | None = None):
	"""hooks.py values across installed apps: lists are concatenated, dicts merged (frappe.get_hooks)."""
	apps = [app_name] if app_name else get_installed_apps()
	# Collected once per request/job (Frappe caches them in Redis); an app being installed reloads them.
	cache = getattr(local, "hooks_cache", None)
	if cache is None:
		cache = local.hooks_cache = {}
	key = tuple(apps)
	if key not in cache or local.flags.in_install_app:
		cache[key] = _load_hooks(apps)
	hooks = cache[key]
	if hook:
		return hooks.get(
			hook, ([] if default == "_KEEP_DEFAULT_LIST" else default) if default is not None else []
		)
	return hooks


def _load_hooks(apps):
	hooks = _dict()
	for app in apps:
		try:
			app_hooks = get_module(f"{app}.hooks")
		except ImportError:
			if local.flags.in_install_app:
				continue
			raise
		for key in dir(app_hooks):
			if key.startswith("_"):
				continue
			value = getattr(app_hooks, key)
			if inspect.ismodule(value) or inspect.isfunction(value) or inspect.isclass(value):
				continue
			_append_hook(hooks, key, value)
	return hooks


def _append_hook(target, key, value):
	if isinstance(value, dict):
		target.setdefault(key, {})
		for inkey in value:
			_append_hook(target[key], inkey, value[inkey])
	else:
		if key not in target:
			target[key] = []
		if isinstance(value, list):
			target[key].extend(value)
		else:
			target[key].append(value)


# ---- documents ------------------------------------------------------------------------------------
def get_meta(doctype, cached=True):
	from frappe.model.meta import get_meta as _get_meta

	return _get_meta(doctype, cached=cached)


def get_doc(*args, **kwargs):
	"""A Document: get_doc(doc) | get_doc("Single") | get_doc(dt, name, for_update=) | get_doc({...}) | get_doc(doctype=..., **fields)."""
	from frappe.model.base_document import BaseDocument, get_controller
	from frappe.model.document import Document  # noqa: F401 (registers the default controller)

	if args and isinstance(args[0], BaseDocument):
		return args[0]
	if args and isinstance(args[0], str):
		doctype = args[0]
	elif args and isinstance(args[0], dict):
		doctype = args[0].get("doctype")
		if not doctype:
			raise ValueError('"doctype" is required')
	elif kwargs:
		doctype = kwargs.get("doctype")
		if not doctype:
			raise ValueError('"doctype" is required')
	else:
		raise ValueError("First argument must be a dict, a DocType name or a Document")
	controller = get_controller(doctype)
	doc = controller(*args, **kwargs)
	return doc


def new_doc(doctype, *, parent_doc=None, parentfield=None, as_dict=False, **kwargs):
	"""A new document with defaults applied and __islocal set."""
	from frappe.model.create_new import get_new_doc

	new = get_new_doc(doctype, parent_doc, parentfield, as_dict=as_dict)
	if kwargs:
		new.update(kwargs)
	return new


def get_single(doctype):
	return get_doc(doctype, doctype)


def get_cached_doc(*args, **kwargs):
	"""get_doc cached for the life of the request/job (real Frappe caches in Redis; cleared on save)."""
	if args and len(args) > 1 and isinstance(args[1], str):
		key = (args[0], args[1])
	elif args and len(args) == 1 and isinstance(args[0], str):
		key = (args[0], args[0])
	else:
		return get_doc(*args, **kwargs)
	cache = local.document_cache
	if key not in cache:
		cache[key] = get_doc(*args, **kwargs)
	return cache[key]


def clear_cache(user: str | None = None, doctype: str | None = None):
	"""Clear a User's, a DocType's or the whole site's cache (frappe.clear_cache)."""
	from frappe.model.meta import clear_meta_cache

	if doctype:
		clear_meta_cache()
		clear_document_cache(doctype)
		local.new_doc_templates = {}
	elif user:
		getattr(local, "user_roles_cache", {}).pop(user, None)
	else:
		# every key of this site, except those the persistent_cache_keys hook keeps
		keys_to_delete = set(cache.get_keys(""))
		for key in get_hooks("persistent_cache_keys"):
			keys_to_delete.difference_update(cache.get_keys(key))
		cache.delete_value(list(keys_to_delete), make_keys=False)
		local.cache = {}
		local.new_doc_templates = {}
		local.user_roles_cache = {}
		clear_meta_cache()
		clear_document_cache()
		for fn in get_hooks("clear_cache"):
			get_attr(fn)()
	local.role_permissions = {}


def clear_document_cache(doctype=None, name=None):
	cache = getattr(local, "document_cache", None)
	if not cache:
		return
	if doctype and name:
		cache.pop((doctype, name), None)
	elif doctype:
		for key in [k for k in cache if k[0] == doctype]:
			cache.pop(key, None)
	else:
		cache.clear()


def get_cached_value(doctype, name, fieldname="name", as_dict=False):
	try:
		doc = get_cached_doc(doctype, name)
	except DoesNotExistError:
		clear_last_message()
		return None
	if isinstance(fieldname, str):
		if as_dict:
			throw("Cannot make dict for single fieldname")
		return doc.get(fieldname)
	values = [doc.get(f) for f in fieldname]
	if as_dict:
		return _dict(zip(fieldname, values, strict=False))
	return values


def rename_doc(
	doctype: str,
	old: str,
	new: str,
	force: bool = False,
	merge: bool = False,
	*,
	ignore_if_exists: bool = False,
	show_alert: bool = True,
	rebuild_search: bool = True,
) -> str:
	"""Rename doc(doctype, old) to `new` and update every Link to it (frappe.model.rename_doc.rename_doc)."""
	from frappe.model.rename_doc import rename_doc as _rename_doc

	return _rename_doc(
		doctype=doctype,
		old=old,
		new=new,
		force=force,
		merge=merge,
		ignore_if_exists=ignore_if_exists,
		show_alert=show_alert,
		rebuild_search=rebuild_search,
	)


def delete_doc(
	doctype=None,
	name=None,
	force=0,
	ignore_doctypes=None,
	for_reload=False,
	ignore_permissions=False,
	flags=None,
	ignore_on_trash=False,
	ignore_missing=True,
	delete_permanently=False,
):
	"""Delete a document: on_trash → rows (and children) → after_delete."""
	from frappe.model.delete_doc import delete_doc as _delete_doc

	return _delete_doc(
		doctype,
		name,
		force,
		ignore_doctypes,
		for_reload,
		ignore_permissions,
		flags,
		ignore_on_trash,
		ignore_missing,
		delete_permanently,
	)


def get_list(doctype, *args, **kwargs):
	from frappe.model.db_query import DatabaseQuery

	return DatabaseQuery(doctype).execute(*args, **kwargs)


def get_all(doctype, *args, **kwargs):
	"""get_list without permission checks and without a default limit."""
	kwargs["ignore_permissions"] = True
	if "limit_page_length" not in kwargs and "limit" not in kwargs:
		kwargs["limit_page_length"] = 0
	return get_list(doctype, *args, **kwargs)


def get_value(*args, **kwargs):
	return db.get_value(*args, **kwargs)


def get_roles(user=None):
	from frappe.permissions import get_roles as _get_roles

	return _get_roles(user)


def only_for(roles, message=False):
	"""Raise PermissionError unless the session user has one of `roles`."""
	if local.flags.in_test or session.user == "Administrator":
		return
	if isinstance(roles, str):
		roles = (roles,)
	if set(roles).isdisjoint(get_roles()):
		if not message:
			raise PermissionError
		throw(
			_("This action is only allowed for {}").format(", ".join(bold(_(role)) for role in roles)),
			PermissionError,
			_("Not Permitted"),
		)


def has_permission(
	doctype=None, ptype="read", doc=None, user=None, verbose=False, throw=False, *, parent_doctype=None
):
	from frappe.permissions import has_permission as _has_permission

	if not doctype and doc:
		doctype = doc.doctype
	out = _has_permission(
		doctype, ptype, doc, user=user, raise_exception=throw, parent_doctype=parent_doctype
	)
	if throw and not out:
		# as v15: the reason is in the message log (the permission check's), the error text in flags
		document_label = (
			f"{_(doctype)} {doc if isinstance(doc, str) else getattr(doc, 'name', '')}" if doc else _(doctype)
		)
		flags.error_message = _("No permission for {0}").format(document_label)
		raise PermissionError
	return out


def enqueue(*args, **kwargs):
	from frappe.utils.background_jobs import enqueue as _enqueue

	return _enqueue(*args, **kwargs)


def publish_realtime(*args, **kwargs):
	from frappe.realtime import publish_realtime as _publish_realtime

	return _publish_realtime(*args, **kwargs)


def publish_progress(*args, **kwargs):
	from frappe.realtime import publish_progress as _publish_progress

	return _publish_progress(*args, **kwargs)


def enqueue_doc(*args, **kwargs):
	from frappe.utils.background_jobs import enqueue_doc as _enqueue_doc

	return _enqueue_doc(*args, **kwargs)


# ---- json -----------------------------------------------------------------------------------------
def as_json(obj, indent=1, separators=None, ensure_ascii=True) -> str:
	from frappe.utils.response import json_handler

	if separators is None:
		separators = (",", ": ")
	try:
		return json.dumps(
			obj,
			indent=indent,
			sort_keys=True,
			default=json_handler,
			separators=separators,
			ensure_ascii=ensure_ascii,
		)
	except TypeError:
		return json.dumps(
			obj, indent=indent, default=json_handler, separators=separators, ensure_ascii=ensure_ascii
		)


def parse_json(val):
	from frappe.utils.data import parse_json as _parse_json

	return _parse_json(val)


def generate_hash(txt=None, length=56):
	from frappe.utils import generate_hash as _generate_hash

	return _generate_hash(txt, length)


def safe_decode(param, encoding="utf-8"):
	if isinstance(param, bytes):
		return param.decode(encoding)
	return param


def get_request_header(key, default=None):
	try:
		return request.headers.get(key, default)
	except Exception:
		return default


# frappe.utils must be importable as an attribute (frappe.utils.now()).
import frappe.model.naming  # noqa: E402
import frappe.utils  # noqa: E402, F401
