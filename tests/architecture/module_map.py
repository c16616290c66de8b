"""The app's module map: every Python module of ``tuktuk_management`` (tests and DocType test files left
out), its line count, and who imports whom inside the app, read from the source with ``ast``.

    .venv/bin/python tests/architecture/module_map.py [APP_DIR]

prints a Markdown table (module, lines, imports, imported by); docs/architecture.md holds its output."""

import ast
import sys
from pathlib import Path

APP = "tuktuk_management"
ROOT = Path(__file__).resolve().parents[2] / APP


def is_app_code(path: Path, root: Path) -> bool:
	parts = path.relative_to(root).parts
	return "tests" not in parts and not (
		path.name.startswith("test_") and path.name != "test_balance_fixes.py"
	)


def module_name(path: Path, root: Path) -> str:
	parts = list(path.relative_to(root.parent).with_suffix("").parts)
	if parts[-1] == "__init__":
		parts.pop()
	return ".".join(parts)


def short(name: str) -> str:
	"""``tuktuk_management.payouts.outbox`` -> ``payouts.outbox``; DocType controllers by their folder."""
	name = name.removeprefix(APP + ".")
	for kind in ("doctype", "report"):
		if f".{kind}." in name:
			return f"{kind}." + name.rsplit(".", 1)[-1]
	return name or APP


def _runtime_nodes(tree):
	"""Every node, except what sits under ``if TYPE_CHECKING:`` (imports for type hints only)."""
	stack = [tree]
	while stack:
		node = stack.pop()
		yield node
		for child in ast.iter_child_nodes(node):
			if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
				stack.extend(child.orelse)
				continue
			stack.append(child)


def imports_of(path: Path, modules: set[str], own: str) -> set[str]:
	"""The app modules ``path`` imports at run time (also inside functions; type-checking imports left out)."""
	tree = ast.parse(path.read_text())
	found = set()
	for node in _runtime_nodes(tree):
		if isinstance(node, ast.Import):
			names = [alias.name for alias in node.names]
		elif isinstance(node, ast.ImportFrom) and node.module:
			base = node.module
			names = [f"{base}.{alias.name}" for alias in node.names] + [base]
		else:
			continue
		for name in names:
			# the longest app module the imported name lies in (``from pkg import mod`` imports pkg.mod)
			while name and name not in modules:
				name = name.rpartition(".")[0]
			if name and name != own and name != APP:
				found.add(name)
	# ``from pkg import mod`` also names pkg itself: keep the package only when nothing inside it was meant
	return {m for m in found if not any(o.startswith(m + ".") for o in found)}


def module_map(root: Path = ROOT) -> list[dict]:
	paths = sorted(p for p in root.rglob("*.py") if is_app_code(p, root))
	modules = {module_name(p, root): p for p in paths}
	rows = {
		name: {
			"module": name,
			"lines": len(path.read_text().splitlines()),
			"imports": sorted(imports_of(path, set(modules), name)),
			"imported_by": [],
		}
		for name, path in modules.items()
	}
	for name, row in rows.items():
		for target in row["imports"]:
			rows[target]["imported_by"].append(name)
	return [row for row in rows.values() if row["lines"] or row["imports"] or row["imported_by"]]


def markdown(rows: list[dict]) -> str:
	lines = ["| module | lines | imports (app) | imported by (app) |", "|---|---:|---|---|"]
	for row in rows:
		lines.append(
			"| `{}` | {} | {} | {} |".format(
				short(row["module"]),
				row["lines"],
				", ".join(short(m) for m in row["imports"]) or "—",
				", ".join(short(m) for m in sorted(row["imported_by"])) or "—",
			)
		)
	total = sum(row["lines"] for row in rows)
	lines.append(f"| **{len(rows)} modules** | **{total}** | | |")
	return "\n".join(lines)


if __name__ == "__main__":
	print(markdown(module_map(Path(sys.argv[1]).resolve() if len(sys.argv) > 1 else ROOT)))
