"""Benchmark 1: crediting one driver under contention.

N processes each credit the same driver M times, all starting together. The app goes through its locked unit
of work (tuktuk_management.crediting.credit_payment: row lock, ledger row, atomic UPDATE, payout row, one
commit). The baseline is the reference's OLD CODE: driver loaded without a lock, ledger row inserted,
``current_balance += contribution; save()``. Reported per mode: credits/s over the whole run, p50/p95 of one
credit, and money lost (expected balance, the sum of every payment's contribution, minus the balance the
database ends with)."""

import sys
from decimal import Decimal

from benchmarks.common import Table, percentile, ratio, run_together, throwaway_site


def run_mode(site, mode, driver, processes, per_process, round_no=0):
	commands = [
		[
			sys.executable,
			"-m",
			"benchmarks.credit_worker",
			site.sites_path,
			site.name,
			mode,
			driver,
			f"{mode[:2].upper()}{site.backend[:1].upper()}{round_no}P{p}X",
			str(per_process),
		]
		for p in range(processes)
	]
	summaries = run_together(commands, "credit worker", env=site.env())
	elapsed = max(s["finished"] for s in summaries) - min(s["started"] for s in summaries)
	with site.connect() as frappe:
		balance = Decimal(str(frappe.db.get_value("TukTuk Driver", driver, "current_balance") or 0))
		ledger = frappe.db.sql(
			"select coalesce(sum(target_contribution), 0), count(*) from `tabTukTuk Transaction` where driver = %s",
			(driver,),
		)[0]
	sent = sum(s["sent"] for s in summaries)
	expected = sum(Decimal(s["sent_total"]) for s in summaries)
	acknowledged = sum(Decimal(s["ok_total"]) for s in summaries)
	kinds = {}
	for s in summaries:
		for k, v in s["error_kinds"].items():
			kinds[k] = kinds.get(k, 0) + v
	latencies = [x for s in summaries for x in s["latencies"]]
	return {
		"latencies": latencies,
		"mode": mode,
		"sent": sent,
		"ok": sum(s["ok"] for s in summaries),
		"errors": sum(s["errors"] for s in summaries),
		"error_kinds": kinds,
		"seconds": elapsed,
		"per_second": sent / elapsed if elapsed else 0.0,
		"credited_per_second": sum(s["ok"] for s in summaries) / elapsed if elapsed else 0.0,
		"p50_ms": percentile(latencies, 50) * 1000,
		"p95_ms": percentile(latencies, 95) * 1000,
		"expected": expected.quantize(Decimal("0.01")),
		"balance": balance.quantize(Decimal("0.01")),
		"lost": (expected - balance).quantize(Decimal("0.01")),
		"silently_lost": (acknowledged - balance).quantize(Decimal("0.01")),
		"ledger_total": Decimal(str(ledger[0])).quantize(Decimal("0.01")),
		"ledger_rows": int(ledger[1]),
	}


def combine(runs):
	"""Several runs of one mode as one: totals summed, rates over the summed time."""
	out = dict(runs[0])
	for key in ("sent", "ok", "errors", "seconds", "expected", "balance", "lost", "silently_lost"):
		out[key] = sum(r[key] for r in runs)
	kinds = {}
	for r in runs:
		for k, v in r["error_kinds"].items():
			kinds[k] = kinds.get(k, 0) + v
	out["error_kinds"] = kinds
	out["per_second"] = out["sent"] / out["seconds"]
	out["credited_per_second"] = out["ok"] / out["seconds"]
	latencies = [x for r in runs for x in r["latencies"]]
	out["p50_ms"] = percentile(latencies, 50) * 1000
	out["p95_ms"] = percentile(latencies, 95) * 1000
	out["runs"] = len(runs)
	del out["latencies"]
	return out


MODES = (
	("baseline", "baseline: read-modify-save()"),
	("set_value", "unsafe: read-add-set_value"),
	("app", "app: credit_payment (locked)"),
)


def run(backends, quick=False):
	processes = 4
	per_process = 20 if quick else 50
	table = Table(
		f"1. Crediting one driver: {processes} processes x {per_process} payments, all at once (2 runs per mode)",
		[
			"backend",
			"mode",
			"req/s",
			"credited/s",
			"p50 ms",
			"p95 ms",
			"credited",
			"refused",
			"expected",
			"balance",
			"money lost",
			"lost silently",
			"req/s vs baseline",
		],
	)
	results = []
	for backend in backends:
		with throwaway_site(backend) as site:
			runs = {mode: [] for mode, _label in MODES}
			# two rounds in mirrored order (A B C C B A) so drift in machine load hits every mode alike
			order = [mode for mode, _label in MODES]
			for round_no, mode in enumerate(order + order[::-1]):
				with site.connect() as frappe:
					from tuktuk_management.tests.utils import make_split_driver

					driver = make_split_driver().name
					frappe.db.commit()
				runs[mode].append(run_mode(site, mode, driver, processes, per_process, round_no))
		measured = {mode: combine(r) for mode, r in runs.items()}
		base = measured["baseline"]["per_second"]
		for mode, label in MODES:
			m = measured[mode]
			refused = ", ".join(f"{v} {k}" for k, v in m["error_kinds"].items()) or "0"
			table.add(
				backend,
				label,
				m["per_second"],
				m["credited_per_second"],
				m["p50_ms"],
				m["p95_ms"],
				f"{m['ok']}/{m['sent']}",
				refused,
				str(m["expected"]),
				str(m["balance"]),
				str(m["lost"]),
				str(m["silently_lost"]),
				"1.00x (baseline)" if mode == "baseline" else ratio(m["per_second"], base),
			)
			results.append({"backend": backend, **m})
	table.notes = [
		"req/s: payments processed per second (credited or refused); credited/s: those that reached the balance.",
		"money lost = expected (sum of every payment's contribution) - final balance; lost silently = acknowledged"
		" as credited but missing from the balance.",
		"baseline: refused payments are TimestampMismatchError from save()'s check_if_latest (Frappe's own guard);"
		" the set_value variant has no such guard and loses updates silently.",
	]
	return table, results
