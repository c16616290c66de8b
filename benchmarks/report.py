"""benchmarks/RESULTS.md and the PNG plots, from the rows benchmarks/side_by_side.py measured."""

import os
import platform
from decimal import Decimal

LABELS = {
	"db_bare": "DB floor: bare credit (raw driver)",
	"db_same": "DB floor: the app's statements (raw driver)",
	"framework_floor": "framework floor: locked credit via frappe.db",
	"ping": "framework floor: ping",
	"reference_fixed": "reference's fixed path",
	"read_modify_save": "pre-fix read-modify-save",
	"app": "app: mpesa_confirmation",
}
# One colour per variant in every plot (the HTTP plots have no DB floors, the in-process ones no ping).
COLORS = {
	"db_bare": "tab:blue",
	"db_same": "tab:cyan",
	"framework_floor": "tab:green",
	"ping": "tab:olive",
	"reference_fixed": "tab:red",
	"read_modify_save": "tab:gray",
	"app": "tab:purple",
}
LOCKED = ("db_bare", "db_same", "framework_floor", "reference_fixed", "app")
TARGETS = (
	("lite-sqlite", "frappe_lite, SQLite, in-process"),
	("lite-mariadb", "frappe_lite, MariaDB, in-process"),
	("lite-sqlite-http", "frappe_lite, SQLite, over HTTP"),
	("lite-mariadb-http", "frappe_lite, MariaDB, over HTTP"),
	("realbench-http", "real Frappe v15 bench (gunicorn), over HTTP"),
)


def _find(rows, target, drivers, clients, variant):
	for r in rows:
		if (r["target"], r["drivers"], r["clients"], r["variant"]) == (target, drivers, clients, variant):
			return r
	return None


def _ratio(rows, target, drivers, clients, top, bottom):
	a, b = _find(rows, target, drivers, clients, top), _find(rows, target, drivers, clients, bottom)
	if not a or not b or not b["per_s"]:
		return None
	return a["per_s"] / b["per_s"]


def _fmt_ratio(value, goal=None, at_least=True):
	if value is None:
		return "-"
	text = f"{value:.2f}x"
	if goal is not None:
		met = value >= goal if at_least else value <= goal
		text += " (met)" if met else " (**missed**)"
	return text


def headline(rows):
	"""The issue's targets, each as a same-run ratio, one line per target and client count."""
	out = ["| target | drivers | clients | ratio | measured | goal |", "|---|---|---|---|---|---|"]
	for target in ("lite-sqlite", "lite-mariadb"):
		for drivers in ("hot", "spread"):
			for clients in (1, 8):
				for bottom, goal in (("db_same", 0.40), ("db_bare", None), ("framework_floor", None)):
					v = _ratio(rows, target, drivers, clients, "app", bottom)
					if v is not None:
						out.append(
							f"| {target} | {drivers} | {clients} | app / {bottom} | {_fmt_ratio(v, goal)} |"
							f" {'>= 0.40x' if goal else ''} |"
						)
	for target in ("lite-sqlite-http", "lite-mariadb-http", "realbench-http"):
		for drivers in ("hot", "spread"):
			for clients in (1, 8):
				pairs = [("ping", 0.60 if clients == 8 else None)]
				if target == "realbench-http":
					pairs += [("framework_floor", 0.80), ("reference_fixed", 2.5)]
				else:
					pairs += [("framework_floor", None), ("reference_fixed", None)]
				for bottom, goal in pairs:
					v = _ratio(rows, target, drivers, clients, "app", bottom)
					if v is not None:
						out.append(
							f"| {target} | {drivers} | {clients} | app / {bottom} | {_fmt_ratio(v, goal)} |"
							f" {f'>= {goal:.2f}x' if goal else ''} |"
						)
	return out


def losses(rows):
	out = []
	worst = {}
	for r in rows:
		if r["variant"] == "ping":
			continue
		lost = Decimal(r["lost"])
		key = (r["target"], r["variant"])
		worst[key] = max(worst.get(key, Decimal(0)), lost)
	locked_lost = [(k, v) for k, v in worst.items() if k[1] in LOCKED and v != 0]
	out.append(
		"- Locked paths (DB floors, framework floor, reference's fixed path, the app): "
		+ ("**0.00 lost in every cell**." if not locked_lost else f"**money lost**: {locked_lost}")
	)
	rms = [(k[0], v) for k, v in worst.items() if k[1] == "read_modify_save"]
	if rms:
		out.append(
			"- Pre-fix read-modify-save, worst cell per target (refused by Frappe's timestamp check or silently"
			" overwritten): " + ", ".join(f"{t} {v}" for t, v in rms) + "."
		)
	return out


def table(rows, target):
	out = [
		"| drivers | clients | variant | payments/s | p50 ms | p95 ms | p99 ms | sent | acknowledged | errors |"
		" ledger rows | expected | balance change | lost | lost silently | load |",
		"|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|",
	]
	for r in rows:
		if r["target"] != target:
			continue
		errors = str(r["errors"])
		if r["error_kinds"]:
			errors += " (" + ", ".join(f"{k} {v}" for k, v in r["error_kinds"].items()) + ")"
		out.append(
			f"| {r['drivers']} | {r['clients']} | {r['variant']} | {r['per_s']:.1f} | {r['p50']:.1f} |"
			f" {r['p95']:.1f} | {r['p99']:.1f} | {r['sent']} | {r['ok']} | {errors} | {r['ledger_rows']} |"
			f" {r['expected']} | {r['balance_change']} | {r['lost']} | {r['lost_silently']} | {r['load']} |"
		)
	return out


def plot(rows, plots_dir):
	import matplotlib

	matplotlib.use("Agg")
	import matplotlib.pyplot as plt

	plots_dir.mkdir(parents=True, exist_ok=True)
	made = []
	present = [(t, title) for t, title in TARGETS if any(r["target"] == t for r in rows)]
	for target, title in present:
		fig, axes = plt.subplots(1, 2, figsize=(12, 4.5), sharey=False)
		for ax, drivers in zip(axes, ("hot", "spread"), strict=True):
			_lines(ax, rows, target, drivers)
			ax.set_title(f"{title}: {'one hot driver' if drivers == 'hot' else '100 drivers'}", fontsize=9)
		for ax in axes:
			ax.legend(fontsize=7)
		fig.tight_layout()
		path = plots_dir / f"{target}.png"
		fig.savefig(path, dpi=90)
		plt.close(fig)
		made.append(path)
	if present:
		fig, axes = plt.subplots(1, len(present), figsize=(4.2 * len(present), 4.2))
		axes = axes if len(present) > 1 else [axes]
		for ax, (target, title) in zip(axes, present, strict=True):
			_lines(ax, rows, target, "hot")
			ax.set_title(f"{title}\none hot driver", fontsize=8)
		for ax in axes:
			ax.legend(fontsize=5.5)
		fig.tight_layout()
		path = plots_dir / "headline.png"
		fig.savefig(path, dpi=90)
		plt.close(fig)
		made.insert(0, path)
	return made


def _lines(ax, rows, target, drivers):
	for variant, label in LABELS.items():
		points = sorted(
			(r["clients"], r["per_s"])
			for r in rows
			if r["target"] == target and r["drivers"] == drivers and r["variant"] == variant
		)
		if points:
			style = "-o" if variant == "app" else "--."
			ax.plot(
				[p[0] for p in points],
				[p[1] for p in points],
				style,
				label=label,
				color=COLORS[variant],
				linewidth=2.5 if variant == "app" else 1,
			)
	ax.set_xscale("log", base=2)
	ax.set_xlabel("clients")
	ax.set_ylabel("payments/s")
	ax.grid(alpha=0.3)


def write(rows, notes, skipped, mode, seconds, results_path, plots_dir):
	made = plot(rows, plots_dir)
	out = [
		"# Side-by-side benchmark results",
		"",
		f"Written by `make bench` (`python -m benchmarks.side_by_side`), mode **{mode}**"
		f" (`BENCH_MODE=quick` default, `BENCH_MODE=full` for more payments per cell), in {seconds:.0f} s on"
		f" {os.cpu_count()} CPUs ({platform.python_implementation()} {platform.python_version()}); the load"
		" average is printed with every row: the machine is shared, so compare the ratios of one run, not the"
		" absolute rates of two runs. Methods: benchmarks/README.md.",
		"",
	]
	for path in made[:1]:
		out += [f"![headline]({os.path.relpath(path, results_path.parent)})", ""]
	out += ["## Targets (same-run ratios of payments/s)", "", *headline(rows), "", "## Correctness", ""]
	out += losses(rows)
	out += [""]
	for line in skipped:
		out += [f"- {line}"]
	for line in notes:
		out += [f"- {line}"]
	out += [""]
	for target, title in TARGETS:
		if any(r["target"] == target for r in rows):
			out += [f"## {title} (`{target}`)", ""]
			png = plots_dir / f"{target}.png"
			if png in made:
				out += [f"![{target}]({os.path.relpath(png, results_path.parent)})", ""]
			out += table(rows, target) + [""]
	results_path.write_text("\n".join(out) + "\n")


if __name__ == "__main__":
	# Re-render RESULTS.md and the plots from the last run's rows (plots/raw.json), without measuring again.
	import json
	import sys

	from benchmarks.side_by_side import PLOTS, RESULTS

	data = json.loads((PLOTS / "raw.json").read_text())
	meta = data.get("meta", {})
	write(
		data["rows"],
		meta.get("notes", []),
		meta.get("skipped", []),
		data["mode"],
		meta.get("seconds", float("nan")),
		RESULTS,
		PLOTS,
	)
	print(f"re-rendered {RESULTS} from {PLOTS / 'raw.json'}", file=sys.stderr)
