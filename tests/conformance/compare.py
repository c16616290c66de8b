"""Compares typed results (typed.encode's trees) of frappe_lite against the real bench's, field by field,
value and type, and renders the agreement table."""

from collections import defaultdict


def leaf_diffs(expected, actual, path="$"):
	"""[(path, expected, actual)] for every place the two typed trees differ (type name or value)."""
	if not (
		isinstance(expected, list) and isinstance(actual, list) and len(expected) == 2 and len(actual) == 2
	):
		return [] if expected == actual else [(path, expected, actual)]
	etype, evalue = expected
	atype, avalue = actual
	if etype != atype:
		return [(path, _short(expected), _short(actual))]
	if isinstance(evalue, dict) and isinstance(avalue, dict):
		out = []
		for key in sorted(set(evalue) | set(avalue)):
			if key not in evalue:
				out.append((f"{path}.{key}", "<absent>", _short(avalue[key])))
			elif key not in avalue:
				out.append((f"{path}.{key}", _short(evalue[key]), "<absent>"))
			else:
				out.extend(leaf_diffs(evalue[key], avalue[key], f"{path}.{key}"))
		return out
	if isinstance(evalue, list) and isinstance(avalue, list):
		if len(evalue) != len(avalue):
			return [(f"{path}.len", len(evalue), len(avalue))] + [
				d
				for i, (e, a) in enumerate(zip(evalue, avalue, strict=False))
				for d in leaf_diffs(e, a, f"{path}[{i}]")
			]
		return [
			d
			for i, (e, a) in enumerate(zip(evalue, avalue, strict=False))
			for d in leaf_diffs(e, a, f"{path}[{i}]")
		]
	return [] if evalue == avalue else [(path, _short(expected), _short(actual))]


def _short(node, limit=160):
	text = repr(node)
	return text if len(text) <= limit else text[: limit - 3] + "..."


def count_leaves(node):
	if isinstance(node, list) and len(node) == 2 and isinstance(node[0], str):
		value = node[1]
		if isinstance(value, dict):
			return sum(count_leaves(v) for v in value.values()) or 1
		if isinstance(value, list):
			return sum(count_leaves(v) for v in value) or 1
	return 1


def entry_tree(entry):
	"""A scenario's whole outcome as one typed tree (result or exception, plus its messages)."""
	tree = {}
	if "raised" in entry:
		tree["raised"] = ["dict", {k: _plain(v) for k, v in entry["raised"].items()}]
	else:
		tree["result"] = entry.get("result")
	if "messages" in entry:
		tree["messages"] = entry["messages"]
	return ["dict", tree]


def _plain(value):
	if isinstance(value, list):
		return ["list", [_plain(v) for v in value]]
	return [type(value).__name__, value]


def compare(real: dict, lite: dict) -> dict:
	"""{scenario: {"area", "diffs": [...], "fields": n}} for every scenario the recording has."""
	out = {}
	for name, expected in real.items():
		actual = lite.get(name)
		if actual is None:
			out[name] = {"area": expected["area"], "diffs": [("$", "<recorded>", "<not run>")], "fields": 1}
			continue
		etree, atree = entry_tree(expected), entry_tree(actual)
		out[name] = {
			"area": expected["area"],
			"diffs": leaf_diffs(etree, atree),
			"fields": count_leaves(etree),
		}
	return out


def table(columns: dict, not_portable: dict | None = None) -> str:
	"""columns: {label: compare() output}. One row per area: compared / agreeing / differing for each column;
	with `not_portable` ({label: names}), a last row: the agreement without those (SQLite's own differences)."""
	areas = sorted({v["area"] for cmp in columns.values() for v in cmp.values()})
	labels = list(columns)
	head = f"{'area':<22}" + "".join(f" | {label:^22}" for label in labels)
	sub = f"{'':<22}" + "".join(f" | {'cmp':>6} {'agree':>6} {'diff':>6}" for _ in labels)
	lines = [head, sub, "-" * len(sub)]
	totals = defaultdict(lambda: [0, 0, 0])
	for area in areas:
		row = f"{area:<22}"
		for label in labels:
			items = [v for v in columns[label].values() if v["area"] == area]
			agree = sum(1 for v in items if not v["diffs"])
			row += f" | {len(items):>6} {agree:>6} {len(items) - agree:>6}"
			t = totals[label]
			t[0] += len(items)
			t[1] += agree
			t[2] += len(items) - agree
		lines.append(row)
	lines.append("-" * len(sub))
	row = f"{'TOTAL':<22}"
	for label in labels:
		c, a, d = totals[label]
		row += f" | {c:>6} {a:>6} {d:>6}"
	lines.append(row)
	row = f"{'agreement':<22}"
	for label in labels:
		c, a, _ = totals[label]
		row += f" | {(100.0 * a / c if c else 0):>19.1f} %"
	lines.append(row)
	if not_portable:
		row = f"{'portable agreement':<22}"
		for label in labels:
			kept_out = not_portable.get(label, set())
			rest = {n: v for n, v in columns[label].items() if n not in kept_out}
			row += f" | {agreement(rest):>19.1f} %"
		lines.append(row)
	return "\n".join(lines)


def agreement(cmp: dict) -> float:
	return 100.0 * sum(1 for v in cmp.values() if not v["diffs"]) / max(1, len(cmp))


def differing(cmp: dict) -> dict:
	return {name: v["diffs"] for name, v in cmp.items() if v["diffs"]}
