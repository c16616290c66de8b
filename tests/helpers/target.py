"""The target of the HTTP system tests: where they send their requests, how they seed data and how they read
results back. One test body runs against either target (no pytest, no frappe at module level here).

- ``LiteTarget``: a throwaway frappe_lite site (SQLite or MariaDB) the tests made and serve themselves with
  ``frappe-lite serve`` (the default: ``make test``).
- ``BenchTarget``: a running REAL Frappe v15 bench (``make realbench``; docs/realbench.md), reached by a base
  URL, a ``Host`` header (Frappe picks the site from it) and a TukTuk Manager's API token. Chosen with
  ``TUKTUK_TARGET=realbench``; the facts come from the bench's facts file (``REALBENCH_FACTS``, else
  ``$REALBENCH_DIR/realbench.json``), and ``TUKTUK_BASE_URL`` / ``TUKTUK_HOST`` / ``TUKTUK_TOKEN`` /
  ``TUKTUK_CALLBACK_TOKEN`` override them.

How each kind of thing is done, on both targets alike unless said:

- Requests: ``target.post(path, who=...)`` / ``get`` with the Host header and the caller's credentials
  (``MANAGER``, ``GUEST``, or headers of a user made by ``add_user``); C2B/B2C callbacks carry the site's
  callback secret in the URL (``?token=``), as the URLs registered with Safaricom do.
- Seeding through the app's own doors: drivers and vehicles are inserted over REST (``/api/resource``) as the
  manager, TukTuk Settings are saved over REST as the manager (validation and Password encryption included),
  payments arrive as C2B confirmations (or as missed transactions a manager enters). Users: ``frappe-lite
  add-user`` on frappe_lite (it has no ``generate_keys`` method), REST as Administrator + ``generate_keys``
  on the bench. A job with no HTTP method (the scheduled reconciliation) runs as cron would run it:
  ``execute`` (``bench --site S execute``, ``frappe-lite --site S execute``).
- What has no API is written to the site's database directly, by design: a corrupted balance (the bug
  reconciliation exists for). On the bench that is its MariaDB database, named as realbench/lib.sh derives
  it (``rb_`` + the site name with every non-alphanumeric character as ``_``); on frappe_lite the site's
  connection.
- Reading results back: SQL on the site's database (``target.sql``), read fresh each time (autocommit on
  the bench's connection, a new connection per read on frappe_lite), nothing cached in between.
- Isolation on a shared bench site: every name a run makes carries ``RUN_TAG`` (drivers' last names,
  vehicles, M-Pesa accounts, TransIDs, users), and tests read only what they made. Money records are
  insert-only, so a run's drivers and their ledger stay (tagged) on the bench; the users a run made are
  deleted at the end (``cleanup``).
"""

import contextlib
import itertools
import json
import os
import random
import string
import subprocess
import threading
import time
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import requests

REPO = Path(__file__).resolve().parents[2]

# Who calls: the manager (API token), a guest (no credentials), or a user's headers from add_user().
MANAGER, GUEST = "manager", "guest"

CENT = Decimal("0.01")

# TukTuk Settings the C2B system tests run with (tuktuk_management.tests.utils.SERVED_C2B_SETTINGS): callbacks
# from any address for paybill 600000 (the one tests.helpers.daraja.payload names), payouts held, a 50% split.
C2B_SETTINGS = {
	"mpesa_paybill": "600000",
	"b2c_enabled": 0,
	"allowed_callback_ips": "",
	"global_fare_percentage": 50,
}

# A tag unique to this test run: in every name the run makes, so runs never collide on a shared bench site.
RUN_TAG = os.environ.get("TUKTUK_RUN_TAG") or (
	"".join(random.choices(string.ascii_uppercase, k=2))
	+ "".join(random.choices(string.ascii_uppercase + string.digits, k=4))
)

_sequence = itertools.count(1)
_sequence_lock = threading.Lock()


def money(value) -> Decimal:
	return Decimal(str(value if value not in (None, "") else 0)).quantize(CENT)


def unique(prefix: str) -> str:
	"""``prefix`` + the run tag + a counter: unique in this run, and across runs."""
	with _sequence_lock:
		n = next(_sequence)
	return f"{prefix}{RUN_TAG}{n}"


def selected() -> str:
	"""The target kind the environment asks for: "lite" (default) or "realbench"."""
	kind = os.environ.get("TUKTUK_TARGET", "").strip().lower() or "lite"
	if kind in ("bench", "real", "realbench"):
		return "realbench"
	if kind != "lite":
		raise ValueError(f"TUKTUK_TARGET={kind!r}: expected lite or realbench")
	return kind


@dataclass
class Driver:
	name: str
	account: str  # the M-Pesa account of the assigned vehicle (BillRefNumber); "" without a vehicle
	phone: str  # the driver's M-Pesa number as stored (2547...)
	vehicle: str = ""


# ---------------------------------------------------------------------------------------------------------
# The site's database


class LiteDb:
	"""A frappe_lite site's database through frappe_lite's own connection (in this process)."""

	def __init__(self, sites_path, site):
		self.sites_path, self.site = str(sites_path), site

	@contextlib.contextmanager
	def _connected(self):
		import frappe

		frappe.init(self.site, self.sites_path, force=True)
		frappe.connect()
		try:
			yield frappe
		finally:
			try:
				frappe.db.rollback()
			finally:
				frappe.destroy()

	def sql(self, query, params=None, as_dict=False):
		with self._connected() as frappe:
			return [
				tuple(r) if not as_dict else dict(r) for r in frappe.db.sql(query, params, as_dict=as_dict)
			]

	def write(self, query, params=None):
		self.write_many(query, [params])

	def write_many(self, query, params_list):
		with self._connected() as frappe:
			for params in params_list:
				frappe.db.sql(query, params)
			frappe.db.commit()

	def spec(self):
		return {"kind": "lite", "sites_path": self.sites_path, "site": self.site}


class MariaDb:
	"""A MariaDB database through PyMySQL, autocommit on: each read sees what is committed, each write commits."""

	def __init__(self, database, host="127.0.0.1", port=3306, user="root", password=""):
		self.database, self.host, self.port = database, host, int(port)
		self.user, self.password = user, password
		self._local = threading.local()

	def _conn(self):
		import pymysql

		conn = getattr(self._local, "conn", None)
		if conn is None or not conn.open:
			conn = pymysql.connect(
				host=self.host,
				port=self.port,
				user=self.user,
				password=self.password,
				database=self.database,
				charset="utf8mb4",
				autocommit=True,
			)
			self._local.conn = conn
		return conn

	def sql(self, query, params=None, as_dict=False):
		import pymysql

		conn = self._conn()
		with conn.cursor(pymysql.cursors.DictCursor if as_dict else pymysql.cursors.Cursor) as cur:
			cur.execute(query, params)
			return [dict(r) if as_dict else tuple(r) for r in cur.fetchall()]

	def write(self, query, params=None):
		self.sql(query, params)

	def write_many(self, query, params_list):
		for params in params_list:
			self.sql(query, params)

	def close(self):
		conn = getattr(self._local, "conn", None)
		if conn is not None and conn.open:
			conn.close()

	def spec(self):
		return {
			"kind": "mariadb",
			"database": self.database,
			"host": self.host,
			"port": self.port,
			"user": self.user,
			"password": self.password,
		}


def db_from_spec(spec):
	if spec["kind"] == "lite":
		return LiteDb(spec["sites_path"], spec["site"])
	return MariaDb(spec["database"], spec["host"], spec["port"], spec["user"], spec["password"])


# ---------------------------------------------------------------------------------------------------------
# The target


class Target:
	"""What a test needs of a served site; see the module docstring. Subclasses fill in: ``label`` (sqlite,
	mariadb, realbench), ``url``, ``host``, ``manager_auth`` ("token KEY:SECRET"), ``callback_token``,
	``db``, ``add_user`` and ``admin_password``."""

	label = "?"
	kind = "?"  # lite | realbench
	url = ""
	host = None
	manager_auth = ""
	callback_token = ""
	admin_password = ""
	db = None
	# scaled-down counts on a slow or shared target (tests read target.scale("name", default))
	scales: dict = {}

	def __repr__(self):
		return f"<{type(self).__name__} {self.label} {self.url} Host={self.host}>"

	def scale(self, name, default):
		return self.scales.get(name, default)

	# -- requests ---------------------------------------------------------------------------------------

	def headers(self, who=MANAGER) -> dict:
		headers = {"Host": self.host} if self.host else {}
		if who == MANAGER:
			headers["Authorization"] = self.manager_auth
		elif isinstance(who, dict):
			headers.update(who)
		elif who not in (GUEST, None):
			raise ValueError(f"who={who!r}")
		return headers

	def request(self, method, path, who=MANAGER, headers=None, timeout=60, **kw) -> requests.Response:
		return requests.request(
			method, self.url + path, headers={**self.headers(who), **(headers or {})}, timeout=timeout, **kw
		)

	def get(self, path, **kw):
		return self.request("GET", path, **kw)

	def post(self, path, **kw):
		return self.request("POST", path, **kw)

	def put(self, path, **kw):
		return self.request("PUT", path, **kw)

	def method(self, dotted, http="POST", who=MANAGER, timeout=120, **args) -> requests.Response:
		"""``/api/method/<dotted>`` with ``args`` (JSON body for POST, query string for GET)."""
		path = f"/api/method/{dotted}"
		if http == "GET":
			return self.get(path, who=who, params=args, timeout=timeout)
		return self.request(http, path, who=who, json=args, timeout=timeout)

	def callback(self, path, body=None, token=None, **kw) -> requests.Response:
		"""POST a Daraja callback to ``path`` with the site's secret (or ``token``; False: none) in the URL."""
		params = dict(kw.pop("params", {}))
		if token is not False:  # False: no token at all
			params["token"] = self.callback_token if token is None else token
		if body is not None:
			kw["json"] = body
		return self.post(path, who=GUEST, params=params, **kw)

	def session(self, user="Administrator", password=None) -> requests.Session:
		"""A requests.Session logged in (POST /api/method/login) and sending the Host header."""
		s = requests.Session()
		if self.host:
			s.headers["Host"] = self.host
		login = s.post(
			self.url + "/api/method/login",
			json={"usr": user, "pwd": password or self.admin_password},
			timeout=30,
		)
		if login.status_code != 200:
			raise AssertionError(f"login as {user} failed: {login.status_code} {login.text[:500]}")
		return s

	def spec(self) -> dict:
		"""What a helper process needs to act on this target (JSON-able; see ``Remote``)."""
		return {
			"label": self.label,
			"url": self.url,
			"host": self.host,
			"manager_auth": self.manager_auth,
			"callback_token": self.callback_token,
			"db": self.db.spec(),
		}

	# -- reading ----------------------------------------------------------------------------------------

	def sql(self, query, params=None, as_dict=False):
		return self.db.sql(query, params, as_dict=as_dict)

	def write_sql(self, query, params=None):
		"""A direct, committed write to the site's database: only for what has no API (see module docstring)."""
		self.db.write(query, params)

	def write_many_sql(self, query, params_list):
		"""``write_sql`` for each of ``params_list`` (on frappe_lite in one transaction)."""
		self.db.write_many(query, list(params_list))

	def value(self, doctype, name, field):
		rows = self.sql(f"select `{field}` from `tab{doctype}` where name = %s", (name,))
		return rows[0][0] if rows else None

	def rows(self, doctype, fields=("name",), order_by="creation asc", **filters):
		"""Rows (dicts) of ``doctype`` matching equality ``filters`` (a list/tuple value means IN, a
		("like", pattern) pair means LIKE)."""
		where, params = [], []
		for key, value in filters.items():
			if isinstance(value, tuple) and len(value) == 2 and value[0] in ("like", "!=", ">=", "<"):
				where.append(f"`{key}` {value[0]} %s")
				params.append(value[1])
			elif isinstance(value, (list, tuple)):
				if not value:
					return []
				where.append(f"`{key}` in ({', '.join(['%s'] * len(value))})")
				params.extend(value)
			elif value is None:
				where.append(f"`{key}` is null")
			else:
				where.append(f"`{key}` = %s")
				params.append(value)
		query = f"select {', '.join(f'`{f}`' for f in fields)} from `tab{doctype}`"
		if where:
			query += " where " + " and ".join(where)
		if order_by:
			query += f" order by {order_by}"
		return self.sql(query, params, as_dict=True)

	def count(self, doctype, **filters):
		return len(self.rows(doctype, fields=("name",), order_by=None, **filters))

	def balance(self, driver) -> Decimal:
		return money(self.value("TukTuk Driver", driver, "current_balance"))

	def driver_figures(self, driver):
		"""(balance, Σ Completed ledger contributions, Completed ledger rows) of ``driver``."""
		balance = self.balance(driver)
		total, rows = self.sql(
			"""select coalesce(sum(target_contribution), 0), count(*) from `tabTukTuk Transaction`
			where driver = %s and payment_status = 'Completed'""",
			(driver,),
		)[0]
		return balance, money(total), int(rows)

	def inbox(self, **filters):
		return self.rows("TukTuk Callback", fields=("name", "status", "error", "payload"), **filters)

	# -- seeding ----------------------------------------------------------------------------------------

	def insert(self, doctype, values, who=MANAGER) -> dict:
		r = self.post(f"/api/resource/{doctype}", who=who, json=values)
		if r.status_code != 200:
			raise AssertionError(f"insert {doctype} failed: HTTP {r.status_code} {r.text[:1500]}")
		return r.json()["data"]

	def make_driver(self, vehicle=True, split=True, **fields) -> Driver:
		"""An Active driver (and, with ``vehicle``, a new vehicle assigned to it) inserted over REST as the
		manager. ``split`` (default): a fixed 50% split whatever the balance (fare 50%, a target nobody
		reaches, target sharing off), as tuktuk_management.tests.utils.make_split_driver."""
		account = vehicle_name = ""
		if vehicle:
			account = unique("S")
			vehicle_name = self.insert(
				"TukTuk Vehicle", {"tuktuk_id": f"TT-{account}", "mpesa_account": account}
			)["name"]
		values = {
			"driver_first_name": "System",
			"driver_last_name": unique(f"Test {self.label} "),
			"mpesa_number": "07" + "".join(random.choices(string.digits, k=8)),
			"status": "Active",
		}
		if split:
			values.update(daily_target=10_000_000, fare_percentage=50, target_sharing_override="Disable")
		if vehicle_name:
			values["assigned_tuktuk"] = vehicle_name
		values.update(fields)
		doc = self.insert("TukTuk Driver", values)
		return Driver(doc["name"], account, doc["mpesa_number"], vehicle_name)

	def make_drivers(self, count, workers=4, **fields) -> list:
		"""``count`` drivers made by ``workers`` threads (the server serves several requests at once)."""
		from concurrent.futures import ThreadPoolExecutor

		with ThreadPoolExecutor(workers) as pool:
			return list(pool.map(lambda _i: self.make_driver(**fields), range(count)))

	def settings(self) -> dict:
		"""TukTuk Settings as stored (tabSingles; Password fields are stored elsewhere, encrypted)."""
		return {
			field: value
			for field, value in self.sql(
				"select field, value from `tabSingles` where doctype = 'TukTuk Settings'"
			)
		}

	def set_settings(self, **values):
		"""Save TukTuk Settings over REST as the manager (the settings form's path: validated, Password
		fields encrypted)."""
		r = self.put("/api/resource/TukTuk Settings/TukTuk Settings", json=values)
		if r.status_code != 200:
			raise AssertionError(
				f"saving TukTuk Settings {sorted(values)} failed: {r.status_code} {r.text[:1500]}"
			)
		return r.json()["data"]

	@contextlib.contextmanager
	def settings_changed(self, **values):
		"""TukTuk Settings with ``values`` for the block, the stored values put back after it (Password fields
		are not read back, so they are left as set)."""
		before = self.settings()
		self.set_settings(**values)
		try:
			yield
		finally:
			restore = {k: _typed(k, before.get(k)) for k in values if not _is_password(k)}
			if restore:
				self.set_settings(**restore)

	def add_user(self, roles=()) -> dict:
		"""A new enabled user with ``roles`` and API keys; returns its Authorization header."""
		raise NotImplementedError

	def execute(self, dotted, **kwargs) -> str:
		"""``bench --site S execute DOTTED --kwargs ...`` (frappe-lite's on frappe_lite): what cron or an
		operator runs on the server, for the app's jobs that have no HTTP method. Returns the output."""
		raise NotImplementedError

	def cleanup(self):
		"""Remove what this run made that is not money (users)."""


SETTINGS_JSON = REPO / "tuktuk_management/tuktuk_management/doctype/tuktuk_settings/tuktuk_settings.json"


def _settings_fieldtypes() -> dict:
	return {
		f["fieldname"]: f["fieldtype"]
		for f in json.loads(SETTINGS_JSON.read_text())["fields"]
		if "fieldname" in f
	}


def _is_password(field):
	return _settings_fieldtypes().get(field) == "Password"


def _typed(field, value):
	"""A tabSingles text value as the JSON type a form would send for the field (numbers as numbers)."""
	fieldtype = _settings_fieldtypes().get(field)
	if value in (None, ""):
		return 0 if fieldtype in ("Int", "Check", "Currency", "Float", "Percent") else ""
	if fieldtype in ("Int", "Check"):
		return int(float(value))
	if fieldtype in ("Currency", "Float", "Percent"):
		return float(value)
	return value


class LiteTarget(Target):
	"""A frappe_lite site (tests/conftest.py TestSite) served by ``server`` (tests.helpers.server.FrappeServe)."""

	kind = "lite"
	admin_password = "admin"

	def __init__(self, site, server, manager_auth, callback_token):
		self.site, self.server = site, server
		self.label = site.backend
		self.url, self.host = server.url, site.name
		self.manager_auth, self.callback_token = manager_auth, callback_token
		self.db = LiteDb(site.sites_path, site.name)
		self.scales = {}

	def add_user(self, roles=()) -> dict:
		email = f"{unique('u').lower()}@example.com"
		args = [
			"add-user",
			email,
			"--first-name",
			"System",
			"--password",
			"Secret-pass-123",
			"--generate-keys",
		]
		for role in roles:
			args += ["--add-role", role]
		result = self.site.cli(*args)
		keys = json.loads(result.stdout.strip().splitlines()[-1])
		return {"Authorization": f"token {keys['api_key']}:{keys['api_secret']}"}

	def execute(self, dotted, **kwargs) -> str:
		args = ["execute", dotted] + (["--kwargs", repr(kwargs)] if kwargs else [])
		result = self.site.cli(*args, timeout=600)
		return result.stdout

	def server_log(self):
		return self.server.log_text()


def bench_db_name(site: str) -> str:
	"""The MariaDB database of a bench site, as realbench/lib.sh ``db_name_for`` derives it."""
	return "rb_" + "".join(c if c.isascii() and c.isalnum() else "_" for c in site)


def default_facts_path() -> Path:
	if os.environ.get("REALBENCH_FACTS"):
		return Path(os.environ["REALBENCH_FACTS"])
	if os.environ.get("REALBENCH_DIR"):
		return Path(os.environ["REALBENCH_DIR"]) / "realbench.json"
	return (
		Path("/srv/tuktuk-realbench") / "realbench.json"
		if os.geteuid() == 0
		else Path.home() / "tuktuk-realbench" / "realbench.json"
	)


class BenchTarget(Target):
	"""A running real Frappe v15 bench; see the module docstring."""

	kind = "realbench"
	label = "realbench"

	def __init__(self, facts: dict):
		self.facts = facts
		self.url = (os.environ.get("TUKTUK_BASE_URL") or facts["base_url"]).rstrip("/")
		self.host = os.environ.get("TUKTUK_HOST") or facts["host_header"]
		self.manager_auth = os.environ.get("TUKTUK_TOKEN") or facts["manager"]["authorization"]
		self.admin_password = facts.get("admin_password", "")
		self.site = facts.get("site") or self.host
		self.db = MariaDb(
			facts.get("db_name") or bench_db_name(self.site),
			host=os.environ.get("REALBENCH_DB_HOST", facts.get("db_host", "127.0.0.1")),
			port=int(os.environ.get("REALBENCH_DB_PORT", facts.get("db_port", 3306))),
			user=os.environ.get("REALBENCH_DB_ROOT_USER", "root"),
		)
		self.callback_token = os.environ.get("TUKTUK_CALLBACK_TOKEN") or self._read_callback_secret()
		# The bench serves with a few sync workers on a small shared machine: the load tests send fewer
		# requests there (the same code; the counts are printed). TUKTUK_BENCH_FULL=1 keeps frappe_lite's.
		self.scales = (
			{}
			if os.environ.get("TUKTUK_BENCH_FULL")
			else {"race_per_process": 25, "corrupted_drivers": 40, "fix_race_per_payer": 25}
		)
		self._users = []

	@classmethod
	def from_environment(cls):
		path = default_facts_path()
		if not path.exists():
			raise RuntimeError(
				f"TUKTUK_TARGET=realbench but there is no facts file at {path} (make realbench)"
			)
		return cls(json.loads(path.read_text()))

	def bench(self, *args, timeout=300) -> subprocess.CompletedProcess:
		"""``bench ARGS`` on the bench (the facts' bench_cmd), the checkout's virtualenv kept out of it."""
		env = {k: v for k, v in os.environ.items() if k not in ("VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME")}
		cmd = self.facts.get("bench_cmd") or str(REPO / "realbench" / "bench")
		return subprocess.run(
			[cmd, *args],
			stdout=subprocess.PIPE,
			stderr=subprocess.STDOUT,
			text=True,
			env=env,
			timeout=timeout,
		)

	def execute(self, dotted, **kwargs) -> str:
		args = ["--site", self.site, "execute", dotted] + (["--kwargs", repr(kwargs)] if kwargs else [])
		result = self.bench(*args, timeout=600)
		if result.returncode:
			raise AssertionError(
				f"bench execute {dotted} failed ({result.returncode}):\n{result.stdout[-3000:]}"
			)
		return result.stdout

	def _read_callback_secret(self) -> str:
		"""The site's callback secret: a Password field, readable only on the server, so through
		``bench execute`` of the app's own accessor (no HTTP method returns it, by design)."""
		dotted = (
			"tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings.get_callback_secret"
		)
		result = self.bench("--site", self.site, "execute", dotted, timeout=180)
		lines = [line for line in result.stdout.strip().splitlines() if line.strip()]
		if result.returncode or not lines:
			raise RuntimeError(
				f"bench execute {dotted} failed ({result.returncode}):\n{result.stdout[-2000:]}"
			)
		secret = json.loads(lines[-1])
		if not secret:
			raise RuntimeError(f"the site {self.site} has no callback secret")
		return secret

	def add_user(self, roles=()) -> dict:
		email = f"{unique('u').lower()}@example.com"
		admin = self.session()
		r = admin.post(
			self.url + "/api/resource/User",
			json={
				"email": email,
				"first_name": "System",
				"last_name": f"Test {RUN_TAG}",
				"send_welcome_email": 0,
				"roles": [{"role": role} for role in roles],
			},
			timeout=60,
		)
		if r.status_code != 200:
			raise AssertionError(f"creating user {email} failed: {r.status_code} {r.text[:1500]}")
		self._users.append(email)
		keys = admin.post(
			self.url + "/api/method/frappe.core.doctype.user.user.generate_keys",
			json={"user": email},
			timeout=60,
		)
		if keys.status_code != 200:
			raise AssertionError(f"generate_keys for {email} failed: {keys.status_code} {keys.text[:1500]}")
		secret = keys.json()["message"]["api_secret"]
		api_key = admin.get(self.url + f"/api/resource/User/{email}", timeout=60).json()["data"]["api_key"]
		return {"Authorization": f"token {api_key}:{secret}"}

	def cleanup(self):
		if not self._users:
			return
		try:
			admin = self.session()
		except Exception:
			return
		for email in self._users:
			with contextlib.suppress(requests.RequestException):
				admin.delete(self.url + f"/api/resource/User/{email}", timeout=60)
		self._users.clear()
		self.db.close()


# ---------------------------------------------------------------------------------------------------------
# In a helper process


class Remote(Target):
	"""A target rebuilt from ``Target.spec()`` in a helper process (requests and database only)."""

	def __init__(self, spec: dict):
		self.label, self.url, self.host = spec["label"], spec["url"], spec["host"]
		self.manager_auth, self.callback_token = spec["manager_auth"], spec["callback_token"]
		self.db = db_from_spec(spec["db"])


def wait_until(predicate, timeout=30, interval=0.1, what="condition"):
	"""Poll ``predicate`` until it returns a truthy value (returned); AssertionError after ``timeout`` s."""
	deadline = time.monotonic() + timeout
	while True:
		value = predicate()
		if value:
			return value
		if time.monotonic() > deadline:
			raise AssertionError(f"timed out after {timeout} s waiting for {what}")
		time.sleep(interval)


# ---------------------------------------------------------------------------------------------------------
# Figures: what each test sent and what came of it, summed per target at the end of the run


FIGURES: list = []
FIGURE_KEYS = ("sent", "credited", "lost", "duplicates", "payouts", "paid", "paid_twice")


def record(target, test, **figures):
	"""Keep (and print) one test's figures: payments ``sent`` that must be credited, ``credited`` (ledger
	rows), ``lost``, ``duplicates`` acknowledged but not credited, ``payouts`` expected paid, ``paid`` (by the
	simulator), ``paid_twice`` (payouts the simulator paid more than once)."""
	row = {"target": target.label, "test": test, **{k: int(v) for k, v in figures.items()}}
	FIGURES.append(row)
	print(f"\n[{target.label}] {test}: " + ", ".join(f"{k} {v}" for k, v in figures.items()))
	return row


def totals(rows=None) -> dict:
	"""{target: {key: sum}} over the recorded figures."""
	out = {}
	for row in FIGURES if rows is None else rows:
		sums = out.setdefault(row["target"], {"tests": 0, **{k: 0 for k in FIGURE_KEYS}})
		sums["tests"] += 1
		for key in FIGURE_KEYS:
			sums[key] += row.get(key, 0)
	return out


_reported = {"done": False}


def report_figures(terminalreporter):
	"""The run's figures in the terminal summary (once, whichever conftest asks first), and as JSON in
	``TUKTUK_FIGURES_FILE`` when set (the real-bench hook reads it)."""
	if _reported["done"] or not FIGURES:
		return
	_reported["done"] = True
	terminalreporter.write_sep("-", "HTTP system tests: figures per target")
	for label, sums in totals().items():
		terminalreporter.write_line(
			f"{label}: {sums['tests']} figure rows; payments sent {sums['sent']}, credited {sums['credited']}, "
			f"lost {sums['lost']}, duplicates {sums['duplicates']}; payouts {sums['payouts']}, paid by the "
			f"simulator {sums['paid']}, paid twice {sums['paid_twice']}"
		)
	path = os.environ.get("TUKTUK_FIGURES_FILE")
	if path:
		Path(path).write_text(json.dumps({"rows": FIGURES, "totals": totals()}, indent=1))
