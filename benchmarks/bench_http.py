"""Benchmark 3: the HTTP request path, ``frappe-lite serve`` in its own process.

Measured: POST /api/method/tuktuk_management.api.tuktuk.mpesa_confirmation?token=<callback secret> (the
inbox row, the locked credit, the payout row, one commit per request) against the same server's cheapest
whitelisted method, GET /api/method/ping (the baseline: routing, site, session and response, no app work).
With 1 and 8 concurrent clients (separate processes, one requests.Session each, all started together):
requests/s, p50/p95 latency, and the driver's balance checked against every confirmation sent.

Server: SQLite sites are served by one sync worker (frappe_lite's rule: one writer per database file);
MariaDB sites by WORKERS_MARIADB sync workers. Clients and server share this machine's CPUs."""

import sys
from decimal import Decimal

from benchmarks.common import Table, percentile, ratio, run_together, throwaway_site
from tests.helpers.server import FrappeServe

WORKERS_MARIADB = 4


def run_clients(url, kind, clients, per_client, token=None, account=None, tag=""):
	commands = []
	for c in range(clients):
		args = [sys.executable, "-m", "benchmarks.http_client", url, kind, str(per_client)]
		if kind == "confirm":
			args += [token, account, f"H{tag}C{c}X"]
		commands.append(args)
	summaries = run_together(commands, "http client")
	elapsed = max(s["finished"] for s in summaries) - min(s["started"] for s in summaries)
	latencies = [x for s in summaries for x in s["latencies"]]
	statuses = {}
	for s in summaries:
		for k, v in s["statuses"].items():
			statuses[k] = statuses.get(k, 0) + v
	return {
		"requests": len(latencies),
		"seconds": elapsed,
		"per_second": len(latencies) / elapsed if elapsed else 0.0,
		"p50_ms": percentile(latencies, 50) * 1000,
		"p95_ms": percentile(latencies, 95) * 1000,
		"statuses": statuses,
		"errors": [e for s in summaries for e in s["errors"]],
		"sent_total": sum(Decimal(s["sent_total"]) for s in summaries),
	}


def run(backends, quick=False):
	plan = ((1, 40), (8, 10)) if quick else ((1, 150), (8, 40))
	table = Table(
		"3. HTTP request path (frappe-lite serve): C2B confirmation vs /api/method/ping on the same server",
		[
			"backend",
			"clients",
			"endpoint",
			"req/s",
			"p50 ms",
			"p95 ms",
			"requests",
			"replies",
			"req/s vs ping",
		],
	)
	table.notes = []
	results = []
	for backend in backends:
		with throwaway_site(backend) as site:
			with site.connect() as frappe:
				from tuktuk_management.tests.utils import account_of, make_split_driver
				from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (
					get_callback_secret,
				)

				driver = make_split_driver()
				account = account_of(driver)
				token = get_callback_secret()
				frappe.db.commit()
			sent = Decimal(0)
			server = FrappeServe(
				site.sites_path,
				site.name,
				workers=WORKERS_MARIADB if backend == "mariadb" else None,
				env=site.env(),
			)
			with server:
				# warm every worker (imports, site config, meta caches) on both endpoints
				run_clients(server.url, "ping", 8, 3)
				warm = run_clients(server.url, "confirm", 8, 2, token, account, tag=f"{backend[0]}W")
				sent += warm["sent_total"]
				for clients, per_client in plan:
					ping = run_clients(server.url, "ping", clients, per_client)
					confirm = run_clients(
						server.url,
						"confirm",
						clients,
						per_client,
						token,
						account,
						tag=f"{backend[0]}{clients}",
					)
					sent += confirm["sent_total"]
					for name, m in (("ping (baseline)", ping), ("mpesa_confirmation", confirm)):
						replies = ", ".join(f"{v} {k}" for k, v in sorted(m["statuses"].items()))
						table.add(
							backend,
							clients,
							name,
							m["per_second"],
							m["p50_ms"],
							m["p95_ms"],
							m["requests"],
							replies,
							"1.00x (baseline)" if m is ping else ratio(m["per_second"], ping["per_second"]),
						)
						results.append({"backend": backend, "clients": clients, "endpoint": name, **m})
			with site.connect() as frappe:
				balance = Decimal(str(frappe.db.get_value("TukTuk Driver", driver.name, "current_balance")))
			workers = 1 if backend == "sqlite" else WORKERS_MARIADB
			table.notes.append(
				f"{backend}: {workers} server worker(s); every confirmation sent (warm-up included) sums to"
				f" {sent.quantize(Decimal('0.01'))}, the driver's balance is {balance.quantize(Decimal('0.01'))}"
				f" (lost: {(sent - balance).quantize(Decimal('0.01'))})"
			)
	table.notes.append("replies: Processed = credited; pong = ping answered; anything else is an error.")
	return table, results
