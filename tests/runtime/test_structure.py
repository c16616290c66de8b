"""frappe_lite's module structure: no import cycles, and backend differences only inside frappe/database.

The import graph counts every import, top-level and inside functions, with `from x import y` resolved to
the module `x.y` when that is a module and to `x` otherwise. The package facade `frappe` (frappe/__init__.py)
is left out: every module imports it, and it imports the model and utilities lazily, as Frappe's does."""

import ast
import os

import frappe

FRAPPE_DIR = os.path.dirname(os.path.abspath(frappe.__file__))
DATABASE_DIR = os.path.join(FRAPPE_DIR, "database")
BACKEND_NAMES = {"sqlite", "mariadb", "mysql", "postgres"}


def python_modules(root=FRAPPE_DIR):
	"""{dotted module name: file path} for every .py file of the frappe package."""
	parent = os.path.dirname(root)
	modules = {}
	for dirpath, _dirs, files in os.walk(root):
		for filename in files:
			if filename.endswith(".py"):
				path = os.path.join(dirpath, filename)
				name = os.path.relpath(path, parent)[:-3].replace(os.sep, ".")
				modules[name.removesuffix(".__init__")] = path
	return modules


def import_graph(modules):
	"""{module: {imported module: line}} over every import statement of each module."""

	def resolve(name):
		while name and name not in modules:
			name = name.rpartition(".")[0]
		return name or None

	graph = {}
	for module, path in modules.items():
		with open(path) as f:
			tree = ast.parse(f.read(), path)
		is_package = path.endswith("__init__.py")
		edges = graph[module] = {}
		for node in ast.walk(tree):
			targets = []
			if isinstance(node, ast.Import):
				targets = [alias.name for alias in node.names]
			elif isinstance(node, ast.ImportFrom):
				base = node.module or ""
				if node.level:
					package = module if is_package else module.rpartition(".")[0]
					for _ in range(node.level - 1):
						package = package.rpartition(".")[0]
					base = f"{package}.{base}" if base else package
				for alias in node.names:
					candidate = f"{base}.{alias.name}"
					targets.append(candidate if candidate in modules else base)
			for target in targets:
				resolved = resolve(target) if target.split(".")[0] == "frappe" else None
				if resolved and resolved not in (module, "frappe"):
					edges.setdefault(resolved, node.lineno)
	return graph


def find_cycles(graph):
	"""Strongly connected components with more than one module (Tarjan)."""
	index, low, stack, on_stack, cycles = {}, {}, [], set(), []

	def visit(v):
		index[v] = low[v] = len(index)
		stack.append(v)
		on_stack.add(v)
		for w in graph.get(v, ()):
			if w not in index:
				visit(w)
				low[v] = min(low[v], low[w])
			elif w in on_stack:
				low[v] = min(low[v], index[w])
		if low[v] == index[v]:
			component = []
			while True:
				w = stack.pop()
				on_stack.discard(w)
				component.append(w)
				if w == v:
					break
			if len(component) > 1:
				cycles.append(sorted(component))

	for v in graph:
		if v not in index:
			visit(v)
	return cycles


def describe(cycle, graph, modules):
	lines = [" <-> ".join(cycle)]
	for a in cycle:
		for b, line in graph[a].items():
			if b in cycle:
				lines.append(f"    {a} -> {b}  ({os.path.relpath(modules[a], FRAPPE_DIR)}:{line})")
	return "\n".join(lines)


def test_no_import_cycles():
	modules = python_modules()
	graph = import_graph(modules)
	cycles = find_cycles(graph)
	assert not cycles, "import cycles in frappe_lite:\n" + "\n".join(
		describe(c, graph, modules) for c in cycles
	)


def test_the_cycle_finder_finds_cycles():
	graph = {"a": {"b": 1}, "b": {"c": 2}, "c": {"a": 3}, "d": {"a": 4}}
	assert find_cycles(graph) == [["a", "b", "c"]]
	modules = {"frappe.x": "x.py", "frappe.y": "y.py"}
	assert find_cycles({"frappe.x": {"frappe.y": 1}, "frappe.y": {}}) == []
	text = describe(
		["frappe.x", "frappe.y"], {"frappe.x": {"frappe.y": 1}, "frappe.y": {"frappe.x": 2}}, modules
	)
	assert "frappe.x -> frappe.y" in text and "frappe.y -> frappe.x" in text


def test_import_graph_counts_function_level_and_from_imports(tmp_path):
	package = tmp_path / "frappe"
	(package / "sub").mkdir(parents=True)
	(package / "__init__.py").write_text("")
	(package / "sub" / "__init__.py").write_text("")
	(package / "sub" / "low.py").write_text("def f():\n\tfrom frappe.sub import high\n")
	(package / "sub" / "high.py").write_text("from frappe.sub.low import f\nfrom . import low\n")
	modules = python_modules(str(package))
	graph = import_graph(modules)
	assert graph["frappe.sub.low"] == {"frappe.sub.high": 2}
	assert graph["frappe.sub.high"] == {"frappe.sub.low": 1}
	assert find_cycles(graph) == [["frappe.sub.high", "frappe.sub.low"]]


def _mentions_backend(node):
	"""Does this expression read the backend's name (`db_type`) or compare with one ("sqlite", ...)?"""
	for sub in ast.walk(node):
		if isinstance(sub, ast.Attribute) and sub.attr == "db_type":
			return True
		if isinstance(sub, ast.Name) and sub.id == "db_type":
			return True
		if isinstance(sub, ast.Constant) and isinstance(sub.value, str):
			if sub.value == "db_type" or sub.value.lower() in BACKEND_NAMES:
				return True
	return False


def backend_branches(path):
	"""(line, source) of every branch on the backend: a comparison, an if/while/ternary/match test or a
	lookup keyed by db_type."""
	with open(path) as f:
		source = f.read()
	tree = ast.parse(source, path)
	found = []
	for node in ast.walk(tree):
		tested = None
		if isinstance(node, ast.Compare):
			tested = node
		elif isinstance(node, (ast.If, ast.While, ast.IfExp)):
			tested = node.test
		elif isinstance(node, ast.Match):
			tested = node.subject
		elif isinstance(node, ast.Subscript):
			tested = node.slice
		if tested is not None and _mentions_backend(tested):
			found.append((node.lineno, ast.get_source_segment(source, node)))
	return found


def test_no_backend_branching_outside_the_database_package():
	offenders = []
	for module, path in python_modules().items():
		if path.startswith(DATABASE_DIR + os.sep):
			continue
		for line, segment in backend_branches(path):
			offenders.append(f"{module}:{line}: {segment}")
	assert not offenders, "branches on the database backend outside frappe/database:\n" + "\n".join(offenders)


def test_the_backend_branch_finder_finds_branches(tmp_path):
	path = tmp_path / "m.py"
	path.write_text(
		"import frappe\n"
		"if frappe.db.db_type == 'sqlite':\n\tpass\n"
		"x = conf.get('db_type') in ('mariadb', 'mysql')\n"
		"y = TABLES[frappe.conf.db_type]\n"
		"z = 1 if db_type else 2\n"
		"ok = frappe.db.dialect.title\n"
	)
	assert sorted({line for line, _ in backend_branches(str(path))}) == [2, 4, 5, 6]


def test_base_document_has_its_own_module():
	"""As in Frappe: BaseDocument in frappe/model/base_document.py, Document (document.py) subclasses it."""
	from frappe.model.base_document import BaseDocument, get_controller
	from frappe.model.document import Document

	assert BaseDocument.__module__ == "frappe.model.base_document"
	assert Document.__module__ == "frappe.model.document" and issubclass(Document, BaseDocument)
	assert get_controller.__module__ == "frappe.model.base_document"
