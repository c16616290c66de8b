"""One long-lived client of the side-by-side benchmark (benchmarks/side_by_side.py starts a pool of them).

    python -m benchmarks.pool_worker inproc SITES_PATH SITE      # frappe connected in this process
    python -m benchmarks.pool_worker http BASE_URL HOST          # one requests.Session to a server

Kept alive across the whole run so no cell pays for imports or connections. Protocol, one JSON line each:
the worker prints "ready"; for each cell it reads a job ({"variant", "count", "drivers": [[driver,
account], ...], "prefix", "token"}), prints "armed", waits for "go", runs ``count`` payments (payment i goes
to drivers[i % len(drivers)]) and prints {"latencies", "ok", "errors", "sent_total", "ok_total",
"started", "finished"}. "quit" ends it."""

import json
import os
import sys
import time
import traceback
from decimal import Decimal

from tests.helpers.daraja import amount_for, contribution, payload

BENCH_METHODS = {
	"framework_floor": "tuktuk_bench.api.locked_credit",
	"reference_fixed": "tuktuk_bench.api.reference_fixed",
	"read_modify_save": "tuktuk_bench.api.read_modify_save",
}
CONFIRM = "tuktuk_management.api.tuktuk.mpesa_confirmation"


# -- in-process: raw database floors ------------------------------------------------------------------------


class RawFloor:
	"""The same work without the framework: a raw connection of the site's own kind (PyMySQL or sqlite3)."""

	def __init__(self, frappe):
		self.mariadb = frappe.db.db_type == "mariadb"
		# A connection of its own, opened as frappe_lite opens one: PyMySQL with the site's credentials
		# (autocommit off), or sqlite3 in WAL mode with the SQL functions the site's triggers call.
		self.conn = frappe.db.get_connection()
		self.mark = "%s" if self.mariadb else "?"

	def q(self, sql, args=()):
		cur = self.conn.cursor()
		cur.execute(sql.replace("%s", self.mark), args)
		return cur.fetchall() if cur.description else None

	def begin(self):
		self.q("start transaction" if self.mariadb else "begin immediate")

	def commit(self):
		self.q("commit")

	def lock(self, driver):
		return self.q(
			"select balance_period, share_carry, mpesa_number from `tabTukTuk Driver` where name = %s"
			+ (" for update" if self.mariadb else ""),
			(driver,),
		)[0]

	def ledger(self, driver, trans_id, amount, period, payout=None):
		target = contribution(amount)
		now = time.strftime("%Y-%m-%d %H:%M:%S")
		name = os.urandom(5).hex()
		self.q(
			"""insert into `tabTukTuk Transaction` (name, owner, creation, modified, modified_by, docstatus,
				transaction_id, transaction_type, driver, amount, driver_share, target_contribution,
				payment_status, timestamp, balance_period, payout)
			values (%s, 'Guest', %s, %s, 'Guest', 0, %s, 'Payment', %s, %s, %s, %s, 'Completed', %s, %s, %s)""",
			(
				name,
				now,
				now,
				trans_id,
				driver,
				str(amount),
				str(amount - target),
				str(target),
				now,
				period,
				payout,
			),
		)
		self.q(
			"update `tabTukTuk Driver` set current_balance = current_balance + %s where name = %s",
			(str(target), driver),
		)
		return name, amount - target

	def bare(self, driver, account, trans_id, amount):
		"""Lock, ledger row, atomic update, commit: the bare credit."""
		self.begin()
		period = self.lock(driver)[0]
		self.ledger(driver, trans_id, amount, period)
		self.commit()

	def same(self, driver, account, trans_id, amount):
		"""What the app guarantees, statement for statement: inbox row committed first; then the driver
		resolved from the account, locked, the ledger row, the payout row, the driver update, the inbox row
		marked; one commit."""
		now = time.strftime("%Y-%m-%d %H:%M:%S")
		callback = os.urandom(5).hex()
		self.begin()
		self.q(
			"""insert into `tabTukTuk Callback` (name, owner, creation, modified, modified_by, docstatus,
				callback_type, status, trans_id, bill_ref_number, amount, payload)
			values (%s, 'Guest', %s, %s, 'Guest', 0, 'C2B Confirmation', 'Received', %s, %s, %s, %s)""",
			(callback, now, now, trans_id, account, str(amount), json.dumps({"TransID": trans_id})),
		)
		self.commit()
		self.begin()
		self.q(
			"""select v.name, d.name, d.status from `tabTukTuk Vehicle` v
			left join `tabTukTuk Driver` d on d.assigned_tuktuk = v.name where v.mpesa_account = %s""",
			(account,),
		)
		period, _carry, phone = self.lock(driver)
		payout = os.urandom(5).hex()
		transaction, share = self.ledger(driver, trans_id, amount, period, payout)
		self.q(
			"""insert into `tabTukTuk Payout` (name, owner, creation, modified, modified_by, docstatus, driver,
				`transaction`, share, amount, phone, status, originator_conversation_id)
			values (%s, 'Guest', %s, %s, 'Guest', 0, %s, %s, %s, %s, %s, 'On Hold', %s)""",
			(payout, now, now, driver, transaction, str(share), str(int(share)), phone, payout),
		)
		self.q(
			"""update `tabTukTuk Callback` set status = 'Processed', `transaction` = %s, payout = %s,
				processed_at = %s, modified = %s where name = %s""",
			(transaction, payout, now, now, callback),
		)
		self.commit()


def inproc(sites_path, site):
	import frappe

	sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "fixture_app"))
	frappe.init(site, sites_path, force=True)
	frappe.connect()
	from tuktuk_bench import api as bench

	from tuktuk_management.api.tuktuk import mpesa_confirmation

	floor = RawFloor(frappe)

	def app(driver, account, trans_id, amount, token):
		frappe.local.response = frappe._dict()
		frappe.local.message_log = []
		mpesa_confirmation(**payload(account, amount, trans_id), token=token)
		return frappe.local.response.get("status") == "Processed"

	variants = {
		"db_bare": lambda d, a, t, x, token: floor.bare(d, a, t, x) or True,
		"db_same": lambda d, a, t, x, token: floor.same(d, a, t, x) or True,
		"framework_floor": lambda d, a, t, x, token: bench.do_locked_credit(d, t, x),
		"reference_fixed": lambda d, a, t, x, token: bench.do_reference_fixed(d, t, x),
		"read_modify_save": lambda d, a, t, x, token: bench.do_read_modify_save(d, t, x),
		"app": app,
	}

	def on_error():
		frappe.db.rollback()
		try:
			floor.q("rollback")
		except Exception:
			pass

	serve(variants, on_error)


def http(base_url, host):
	import requests

	session = requests.Session()
	session.headers["Host"] = host

	def call(method, data=None, params=None):
		r = session.post(f"{base_url}/api/method/{method}", json=data, params=params, timeout=120)
		return r.status_code, (r.json() if "json" in r.headers.get("content-type", "") else {})

	def ping(d, a, t, x, token):
		r = session.get(f"{base_url}/api/method/ping", timeout=60)
		return r.status_code == 200 and r.json().get("message") == "pong"

	def bench_method(method):
		def run(d, a, t, x, token):
			code, body = call(method, {"driver": d, "trans_id": t, "amount": str(x)})
			if code != 200:
				raise RuntimeError(f"HTTP {code} {body.get('exc_type') or ''}".strip())
			return bool(body.get("message"))

		return run

	def app(d, a, t, x, token):
		code, body = call(CONFIRM, payload(a, x, t), {"token": token})
		if code != 200:
			raise RuntimeError(f"HTTP {code}")
		return body.get("status") == "Processed"

	variants = {"ping": ping, "app": app, **{k: bench_method(m) for k, m in BENCH_METHODS.items()}}
	serve(variants, lambda: None)


def serve(variants, on_error):
	print("ready", flush=True)
	for line in sys.stdin:
		if line.strip() == "quit":
			return
		job = json.loads(line)
		run = variants[job["variant"]]
		drivers, prefix, token = job["drivers"], job["prefix"], job.get("token")
		print("armed", flush=True)
		sys.stdin.readline()  # go
		latencies, ok, errors, kinds = [], 0, 0, {}
		sent_total = ok_total = Decimal(0)
		started = time.time()
		for i in range(job["count"]):
			driver, account = drivers[i % len(drivers)]
			amount = amount_for(prefix, i)
			share = contribution(amount) if job["variant"] != "ping" else Decimal(0)
			sent_total += share
			t0 = time.perf_counter()
			try:
				if run(driver, account, f"{prefix}{i:05d}", amount, token):
					ok += 1
					ok_total += share
			except Exception as e:
				on_error()
				errors += 1
				kind = (
					str(e) if isinstance(e, RuntimeError) else type(e).__name__
				)  # over HTTP: status + exc_type
				kinds[kind] = kinds.get(kind, 0) + 1
				if errors == 1 and type(e).__name__ not in ("TimestampMismatchError", "RuntimeError"):
					traceback.print_exc(file=sys.stderr)
			latencies.append(time.perf_counter() - t0)
		print(
			json.dumps(
				{
					"started": started,
					"finished": time.time(),
					"latencies": latencies,
					"ok": ok,
					"errors": errors,
					"error_kinds": kinds,
					"sent_total": str(sent_total),
					"ok_total": str(ok_total),
				}
			),
			flush=True,
		)


if __name__ == "__main__":
	{"inproc": inproc, "http": http}[sys.argv[1]](*sys.argv[2:])
