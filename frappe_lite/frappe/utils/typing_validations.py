# Type-hint checking of whitelisted methods, as Frappe v15's frappe/utils/typing_validations.py: during a
# request (or in tests) annotated arguments are validated and cast by pydantic; a mismatch raises
# FrappeTypeError (417). Unannotated arguments, **kwargs and string annotations are left alone.
import inspect
from functools import lru_cache, wraps
from types import EllipsisType
from typing import ForwardRef, Union

from pydantic import ConfigDict, PydanticUserError
from pydantic import TypeAdapter as PydanticTypeAdapter
from pydantic import ValidationError as PydanticValidationError

import frappe
from frappe.exceptions import FrappeTypeError

# Frappe accepts 0/1 (and floats) where a bool is annotated: form data has no booleans.
SLACK_DICT = {bool: (int, bool, float)}
_CONFIG = ConfigDict(arbitrary_types_allowed=True)


def validate_argument_types(func, apply_condition=None):
	"""Wrap `func` so its annotated arguments are checked (and cast) when `apply_condition()` is true."""

	@wraps(func)
	def wrapper(*args, **kwargs):
		if apply_condition is None or apply_condition():
			args, kwargs = transform_parameter_types(func, args, kwargs)
		return func(*args, **kwargs)

	return wrapper


@lru_cache(maxsize=2048)
def _adapter(type_):
	try:
		return PydanticTypeAdapter(type_, config=_CONFIG)
	except PydanticUserError as e:
		# BaseModel, TypedDict and dataclasses refuse a config
		if e.code == "type-adapter-config-unused":
			return PydanticTypeAdapter(type_)
		raise


def _qualified_name(obj):
	cls = obj if inspect.isclass(obj) else type(obj)
	if cls.__module__ in ("typing", "types"):
		return obj
	if cls.__module__ == "builtins":
		return cls.__qualname__
	return f"{cls.__module__}.{cls.__qualname__}"


def _raise_type_error(func, name, expected, value, cause=None):
	raise FrappeTypeError(
		f"Argument '{name}' in '{func.__module__}.{func.__qualname__}' should be of type "
		f"'{_qualified_name(expected)}' but got '{_qualified_name(value)}' instead."
	) from cause


def transform_parameter_types(func, args, kwargs):
	annotations = {k: v for k, v in func.__annotations__.items() if k != "return"}
	if not (args or kwargs) or not annotations:
		return args, kwargs
	params = inspect.signature(func).parameters
	arg_names = list(params)[: len(args)]
	supplied = dict(zip(arg_names, args, strict=False))
	supplied.update(kwargs)
	new_args, new_kwargs = list(args), dict(kwargs)
	for name, expected in annotations.items():
		if name not in supplied:
			continue
		if isinstance(expected, (ForwardRef, str)) or any(
			isinstance(a, (ForwardRef, str)) for a in getattr(expected, "__args__", ())
		):
			continue
		expected = SLACK_DICT.get(expected, expected)
		param = params.get(name)
		if param is not None and param.default is not inspect.Parameter.empty:
			# the default's own type is always acceptable (e.g. `limit: int = None`)
			if isinstance(expected, tuple):
				if type(param.default) not in expected:
					expected = (*expected, type(param.default))
				expected = Union[expected]  # noqa: UP007
			elif param.default != expected:
				expected = Union[expected, type(param.default)]  # noqa: UP007
		elif isinstance(expected, tuple):
			expected = Union[expected]  # noqa: UP007
		value = supplied[name]
		try:
			cast = _adapter(expected).validate_python(value)
		except (TypeError, PydanticValidationError) as e:
			_raise_type_error(func, name, expected, value, e)
		if isinstance(cast, EllipsisType):
			_raise_type_error(func, name, expected, value)
		if name in new_kwargs:
			new_kwargs[name] = cast
		else:
			new_args[arg_names.index(name)] = cast
	return new_args, new_kwargs


def in_request_or_test():
	return bool(getattr(frappe.local, "request", None)) or bool(
		getattr(frappe.local, "flags", None) and frappe.local.flags.in_test
	)
