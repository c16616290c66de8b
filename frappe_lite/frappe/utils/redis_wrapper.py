# frappe.cache, following frappe/utils/redis_wrapper.py (v15).
#
# With `redis_cache` in site_config/common_site_config (a bench always has it) the cache is RedisWrapper:
# Frappe's Redis client whose keys are prefixed with the site's db_name ("<db_name>|<key>"), values pickled,
# and a per-request copy in frappe.local.cache. Without it, ProcessCache keeps the same interface and the
# same per-site keys in this process's memory: values live as long as the process and are not shared with
# other processes (web workers, job workers), so cross-process invalidation needs Redis.
import fnmatch
import pickle
import threading
import time

import redis

import frappe


def make_key(key, user=None, shared=False):
	"""`<db_name>|<key>` (or `<db_name>|user:<user>:<key>`), as bytes; `shared` keys are not prefixed."""
	if shared:
		return key if isinstance(key, bytes) else key.encode()
	if user:
		if user is True:
			user = frappe.session.user
		key = f"user:{user}:{key}"
	return f"{frappe.conf.db_name}|{key}".encode()


def _local_cache():
	cache = getattr(frappe.local, "cache", None)
	if cache is None:
		cache = frappe.local.cache = {}
	return cache


class RedisWrapper(redis.Redis):
	"""Redis client that prefixes every key with the site's db_name (Frappe's RedisWrapper)."""

	def connected(self):
		try:
			self.ping()
			return True
		except redis.exceptions.ConnectionError:
			return False

	def __call__(self):
		"""frappe.cache() and frappe.cache are the same object, as in v15."""
		return self

	def make_key(self, key, user=None, shared=False):
		return make_key(key, user, shared)

	def set_value(self, key, val, user=None, expires_in_sec=None, shared=False):
		key = self.make_key(key, user, shared)
		if not expires_in_sec:
			_local_cache()[key] = val
		try:
			if expires_in_sec:
				self.setex(name=key, time=expires_in_sec, value=pickle.dumps(val))
			else:
				self.set(key, pickle.dumps(val))
		except redis.exceptions.ConnectionError:
			return None

	def get_value(self, key, generator=None, user=None, expires=False, shared=False):
		original_key = key
		key = self.make_key(key, user, shared)
		local = _local_cache()
		if key in local:
			return local[key]
		val = None
		try:
			val = self.get(key)
		except redis.exceptions.ConnectionError:
			pass
		if val is not None:
			val = pickle.loads(val)
		if not expires:
			if val is None and generator:
				val = generator()
				self.set_value(original_key, val, user=user)
			else:
				local[key] = val
		return val

	def get_all(self, key):
		return {k: self.get_value(k) for k in self.get_keys(key)}

	def get_keys(self, key):
		"""Keys (full, as stored) starting with `key`."""
		try:
			return self.keys(self.make_key(key + "*"))
		except redis.exceptions.ConnectionError:
			pattern = self.make_key(key + "*").decode()
			return [k for k in list(_local_cache()) if fnmatch.fnmatchcase(_text(k), pattern)]

	def delete_keys(self, key):
		self.delete_value(self.get_keys(key), make_keys=False)

	def delete_key(self, *args, **kwargs):
		self.delete_value(*args, **kwargs)

	def delete_value(self, keys, user=None, make_keys=True, shared=False):
		if not keys:
			return
		if not isinstance(keys, list | tuple):
			keys = (keys,)
		if make_keys:
			keys = [self.make_key(k, shared=shared, user=user) for k in keys]
		local = _local_cache()
		for key in keys:
			local.pop(key, None)
		try:
			self.delete(*keys)
		except redis.exceptions.ConnectionError:
			pass

	def exists(self, *names, user=None, shared=None):
		names = [self.make_key(n, user=user, shared=shared) for n in names]
		try:
			return super().exists(*names)
		except redis.exceptions.ConnectionError:
			return False

	def hset(self, name, key, value, shared=False, *args, **kwargs):
		if key is None:
			return
		_name = self.make_key(name, shared=shared)
		_local_cache().setdefault(_name, {})[key] = value
		try:
			super().hset(_name, key, pickle.dumps(value), *args, **kwargs)
		except redis.exceptions.ConnectionError:
			pass

	def hexists(self, name, key, shared=False):
		if key is None:
			return False
		try:
			return super().hexists(self.make_key(name, shared=shared), key)
		except redis.exceptions.ConnectionError:
			return False

	def hgetall(self, name):
		value = super().hgetall(self.make_key(name))
		return {key: pickle.loads(v) for key, v in value.items()}

	def hget(self, name, key, generator=None, shared=False):
		_name = self.make_key(name, shared=shared)
		local = _local_cache().setdefault(_name, {})
		if not key:
			return None
		if key in local:
			return local[key]
		value = None
		try:
			value = super().hget(_name, key)
		except redis.exceptions.ConnectionError:
			pass
		if value is not None:
			value = pickle.loads(value)
			local[key] = value
		elif generator:
			value = generator()
			self.hset(name, key, value, shared=shared)
		return value

	def hdel(self, name, key, shared=False):
		_name = self.make_key(name, shared=shared)
		local = _local_cache()
		if _name in local:
			local[_name].pop(key, None)
		try:
			super().hdel(_name, key)
		except redis.exceptions.ConnectionError:
			pass

	def hkeys(self, name):
		try:
			return super().hkeys(self.make_key(name))
		except redis.exceptions.ConnectionError:
			return []


class ProcessCache:
	"""RedisWrapper's interface over this process's memory (no `redis_cache` configured).

	Same keys (`<db_name>|...`), values pickled on the way in and out (so what works here also works on
	Redis), `expires_in_sec` honoured. Hash keys are kept as given (Redis returns them as bytes)."""

	def __init__(self):
		self._data = {}  # full key -> (pickled value | {field: pickled value}, expires_at | None)
		self._lock = threading.RLock()

	def connected(self):
		return True

	def __call__(self):
		return self

	def make_key(self, key, user=None, shared=False):
		return make_key(key, user, shared)

	def _live(self, key):
		entry = self._data.get(key)
		if entry and entry[1] is not None and entry[1] <= time.monotonic():
			del self._data[key]
			return None
		return entry

	def set_value(self, key, val, user=None, expires_in_sec=None, shared=False):
		key = self.make_key(key, user, shared)
		expires_at = time.monotonic() + expires_in_sec if expires_in_sec else None
		with self._lock:
			self._data[key] = (pickle.dumps(val), expires_at)

	def get_value(self, key, generator=None, user=None, expires=False, shared=False):
		full_key = self.make_key(key, user, shared)
		with self._lock:
			entry = self._live(full_key)
		val = pickle.loads(entry[0]) if entry and isinstance(entry[0], bytes) else None
		if val is None and generator and not expires:
			val = generator()
			self.set_value(key, val, user=user, shared=shared)
		return val

	def get_all(self, key):
		return {k: self.get_value(k, shared=True) for k in self.get_keys(key)}

	def get_keys(self, key):
		pattern = self.make_key(key + "*").decode()
		with self._lock:
			return [k for k in list(self._data) if self._live(k) and fnmatch.fnmatchcase(_text(k), pattern)]

	def delete_keys(self, key):
		self.delete_value(self.get_keys(key), make_keys=False)

	def delete_key(self, *args, **kwargs):
		self.delete_value(*args, **kwargs)

	def delete_value(self, keys, user=None, make_keys=True, shared=False):
		if not keys:
			return
		if not isinstance(keys, list | tuple):
			keys = (keys,)
		if make_keys:
			keys = [self.make_key(k, shared=shared, user=user) for k in keys]
		with self._lock:
			for key in keys:
				self._data.pop(key if isinstance(key, bytes) else key.encode(), None)

	def exists(self, *names, user=None, shared=None):
		with self._lock:
			return sum(1 for n in names if self._live(self.make_key(n, user=user, shared=shared)))

	def hset(self, name, key, value, shared=False, *args, **kwargs):
		if key is None:
			return
		_name = self.make_key(name, shared=shared)
		with self._lock:
			entry = self._live(_name)
			fields = entry[0] if entry and isinstance(entry[0], dict) else {}
			fields[key] = pickle.dumps(value)
			self._data[_name] = (fields, None)

	def _hash(self, name, shared=False):
		entry = self._live(self.make_key(name, shared=shared))
		return entry[0] if entry and isinstance(entry[0], dict) else {}

	def hget(self, name, key, generator=None, shared=False):
		if not key:
			return None
		with self._lock:
			raw = self._hash(name, shared).get(key)
		if raw is not None:
			return pickle.loads(raw)
		if generator:
			value = generator()
			self.hset(name, key, value, shared=shared)
			return value
		return None

	def hexists(self, name, key, shared=False):
		with self._lock:
			return key in self._hash(name, shared)

	def hgetall(self, name):
		with self._lock:
			return {k: pickle.loads(v) for k, v in self._hash(name).items()}

	def hkeys(self, name):
		with self._lock:
			return list(self._hash(name))

	def hdel(self, name, key, shared=False):
		with self._lock:
			self._hash(name, shared).pop(key, None)


def _text(key):
	return key.decode() if isinstance(key, bytes) else str(key)


_redis_clients: dict = {}
_process_cache = ProcessCache()


def get_cache():
	"""The current site's cache: RedisWrapper for its `redis_cache` URL, else this process's ProcessCache."""
	url = frappe.conf.get("redis_cache")
	if not url:
		return _process_cache
	client = _redis_clients.get(url)
	if client is None:
		client = _redis_clients[url] = RedisWrapper.from_url(url)
	return client
