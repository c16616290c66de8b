"""One HTTP client process of the request-path benchmark (bench_http spawns C of them).

    python -m benchmarks.http_client BASE_URL KIND COUNT [TOKEN ACCOUNT PREFIX]

KIND "ping": GET /api/method/ping. KIND "confirm": POST a Daraja C2B confirmation (unique TransID, amount
from tests.helpers.daraja.amount_for) to tuktuk_management.api.tuktuk.mpesa_confirmation?token=TOKEN.
Prints "ready", waits for a line on stdin, sends COUNT requests on one requests.Session, prints a JSON summary
(latencies in seconds, the statuses seen, and the sum of contributions acknowledged as Processed)."""

import json
import sys
import time
from decimal import Decimal

import requests

from tests.helpers.daraja import amount_for, contribution, payload

PING = "/api/method/ping"
CONFIRM = "/api/method/tuktuk_management.api.tuktuk.mpesa_confirmation"


def main(base_url, kind, count, token=None, account=None, prefix=None):
	count = int(count)
	session = requests.Session()
	print("ready", flush=True)
	sys.stdin.readline()
	latencies, statuses, errors = [], {}, []
	sent_total = Decimal(0)
	started = time.time()
	for i in range(count):
		t0 = time.perf_counter()
		try:
			if kind == "ping":
				r = session.get(base_url + PING, timeout=60)
				ok = r.status_code == 200 and r.json().get("message") == "pong"
				status = "pong" if ok else f"HTTP {r.status_code}"
			else:
				amount = amount_for(prefix, i)
				body = payload(account, amount, f"{prefix}{i:05d}")
				r = session.post(base_url + CONFIRM, params={"token": token}, json=body, timeout=60)
				reply = r.json() if r.headers.get("content-type", "").startswith("application/json") else {}
				ok = r.status_code == 200 and reply.get("ResultCode") == 0
				status = reply.get("status") or f"HTTP {r.status_code}"
				sent_total += contribution(amount)
		except requests.RequestException as e:
			ok, status = False, type(e).__name__
		latencies.append(time.perf_counter() - t0)
		statuses[status] = statuses.get(status, 0) + 1
		if not ok and len(errors) < 3:
			errors.append(status)
	print(
		json.dumps(
			{
				"started": started,
				"finished": time.time(),
				"latencies": latencies,
				"statuses": statuses,
				"errors": errors,
				"sent_total": str(sent_total),
			}
		),
		flush=True,
	)


if __name__ == "__main__":
	main(*sys.argv[1:7])
