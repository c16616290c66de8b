"""The app's boundaries, read from its source with ``ast`` (so this lives under tests/, not in the app):

1. Only ``tuktuk_management/ledger.py`` writes a driver's money fields (current_balance, left_to_target,
   share_carry, balance_period, consecutive_misses): by SQL text, ``frappe.db.set_value``/``db_set``, or
   assignment on a document (then saved).
2. Only ``tuktuk_management/payouts/outbox.py`` inserts or updates a TukTuk Payout.
3. Only ``tuktuk_management/api/`` touches HTTP: reads the request (``frappe.request``,
   ``frappe.local.request``, ``form_dict``, ``request_ip``, request headers), writes the response, or calls
   ``frappe.only_for``.

Test code (``tests/`` folders and ``test_*.py`` files, the on-site self-check included) is left out: it
corrupts balances and fakes requests on purpose. Each rule is also shown to fail on a planted violation, so a
rule that silently matches nothing cannot pass for a kept boundary.
"""

import ast
import re
import textwrap
from pathlib import Path

import pytest

APP = Path(__file__).resolve().parents[2] / "tuktuk_management"
LEDGER = "ledger.py"
OUTBOX = "payouts/outbox.py"
API = "api/"

DRIVER, PAYOUT = "TukTuk Driver", "TukTuk Payout"
MONEY_FIELDS = ("current_balance", "left_to_target", "share_carry", "balance_period", "consecutive_misses")
HTTP_ATTRIBUTES = ("request", "form_dict", "request_ip", "response", "only_for", "get_request_header")
# What an unresolved part of an f-string becomes: it may hide anything, so a rule treats it as a maybe.
UNKNOWN = "{?}"

_UPDATE = re.compile(r"\bupdate\s+`?tab(?P<table>[^`\s]*(?: [^`\s]+)*)`?\s+set\b(?P<set>.*)", re.I | re.S)
_WRITE_PAYOUT = re.compile(
	r"\b(insert\s+into|update|delete\s+from|replace\s+into)\s+`?tab(TukTuk Payout|\{\?\})", re.I
)
_ASSIGNS_MONEY = re.compile(r"(?<![\w.])`?(" + "|".join(MONEY_FIELDS) + r")`?\s*=(?!=)", re.I)
_DOC_FACTORIES = ("get_doc", "new_doc", "get_single", "get_cached_doc", "get_last_doc")


def app_sources() -> dict[str, str]:
	"""App module path (relative to the app) -> source, test code left out."""
	sources = {}
	for path in sorted(APP.rglob("*.py")):
		relative = path.relative_to(APP).as_posix()
		if "tests/" in relative or path.name.startswith("test_"):
			continue
		sources[relative] = path.read_text()
	return sources


def string_constants(sources: dict[str, str]) -> dict[str, str]:
	"""Module-level ``NAME = "text"`` across the app (``PAYOUT = outbox.PAYOUT`` resolves by name)."""
	constants = {}
	for source in sources.values():
		for node in ast.parse(source).body:
			if isinstance(node, ast.Assign) and isinstance(node.value, ast.Constant):
				if isinstance(node.value.value, str):
					for target in node.targets:
						if isinstance(target, ast.Name):
							constants.setdefault(target.id, node.value.value)
	return constants


class Scanner(ast.NodeVisitor):
	"""Finds, in one module, the writes and HTTP touches the three rules are about."""

	def __init__(self, constants: dict[str, str]):
		self.constants = constants
		self.money_writes: list[tuple[int, str]] = []
		self.payout_writes: list[tuple[int, str]] = []
		self.http: list[tuple[int, str]] = []
		self._docs: list[dict[str, str]] = [{}]  # per function: variable -> doctype ("" unknown)
		self._in_document_class = False

	# -- resolving values --------------------------------------------------------------------------------

	def text(self, node) -> str | None:
		"""The string an expression builds, with UNKNOWN for parts that cannot be resolved."""
		if isinstance(node, ast.Constant) and isinstance(node.value, str):
			return node.value
		if isinstance(node, ast.Name):
			return self.constants.get(node.id)
		if isinstance(node, ast.Attribute):
			return self.constants.get(node.attr)
		if isinstance(node, ast.JoinedStr):
			parts = []
			for value in node.values:
				if isinstance(value, ast.FormattedValue):
					parts.append(self.text(value.value) or UNKNOWN)
				else:
					parts.append(self.text(value) or "")
			return "".join(parts)
		if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
			left, right = self.text(node.left), self.text(node.right)
			if left is not None or right is not None:
				return (left or UNKNOWN) + (right or UNKNOWN)
		return None

	def strings_in(self, node) -> list[str]:
		return [t for t in (self.text(n) for n in ast.walk(node)) if t is not None]

	def doctype_of_factory(self, call: ast.Call) -> str | None:
		"""The doctype a ``frappe.get_doc(...)``/``new_doc(...)`` call builds or loads ("" when unknown)."""
		if not (isinstance(call.func, ast.Attribute) and call.func.attr in _DOC_FACTORIES):
			return None
		if not call.args:
			return ""
		first = call.args[0]
		if isinstance(first, ast.Dict):
			return self.doctype_in_dict(first)
		return self.text(first) or ""

	def doctype_in_dict(self, node: ast.Dict) -> str:
		"""The ``"doctype"`` of a document's values written as a dict literal ("" when unknown)."""
		for key, value in zip(node.keys, node.values, strict=True):
			if key is not None and self.text(key) == "doctype":
				return self.text(value) or ""
		return ""

	# -- scopes ------------------------------------------------------------------------------------------

	def visit_ClassDef(self, node):
		outer = self._in_document_class
		self._in_document_class = any(
			(isinstance(b, ast.Name) and b.id == "Document")
			or (isinstance(b, ast.Attribute) and b.attr == "Document")
			for b in node.bases
		)
		self.generic_visit(node)
		self._in_document_class = outer

	def visit_FunctionDef(self, node):
		scope = {"self": ""} if self._in_document_class else {}
		self._docs.append(scope)
		self.generic_visit(node)
		self._docs.pop()

	visit_AsyncFunctionDef = visit_FunctionDef

	def _doc_variable(self, node) -> str | None:
		"""The doctype of a variable known to hold a document in this function ("" unknown), else None."""
		if isinstance(node, ast.Name):
			return self._docs[-1].get(node.id)
		return None

	# -- the rules ---------------------------------------------------------------------------------------

	def visit_Assign(self, node):
		if isinstance(node.value, ast.Call):
			doctype = self.doctype_of_factory(node.value)
			if doctype is not None:
				for target in node.targets:
					if isinstance(target, ast.Name):
						self._docs[-1][target.id] = doctype
		for target in node.targets:
			self._check_assignment(target, node.lineno)
		self.generic_visit(node)

	def visit_AugAssign(self, node):
		self._check_assignment(node.target, node.lineno)
		self.generic_visit(node)

	def _check_assignment(self, target, lineno):
		if isinstance(target, ast.Attribute) and target.attr in MONEY_FIELDS:
			doctype = self._doc_variable(target.value)
			if doctype is not None and doctype in ("", DRIVER):
				self.money_writes.append((lineno, f"document field {target.attr} assigned"))
			elif doctype == PAYOUT:
				self.payout_writes.append((lineno, f"payout field {target.attr} assigned"))
		elif isinstance(target, ast.Attribute) and self._doc_variable(target.value) == PAYOUT:
			self.payout_writes.append((lineno, f"payout field {target.attr} assigned"))

	def visit_Constant(self, node):
		if isinstance(node.value, str):
			self._check_sql(node.value, node.lineno)

	def visit_JoinedStr(self, node):
		self._check_sql(self.text(node) or "", node.lineno)
		# the parts of an f-string are not separate statements: do not visit them one by one

	def _check_sql(self, sql: str, lineno: int):
		for match in _UPDATE.finditer(sql):
			table, assignments = match.group("table"), match.group("set")
			if table not in (DRIVER, UNKNOWN) and UNKNOWN not in table:
				if _ASSIGNS_MONEY.search(assignments) and table in (
					"TukTuk Transaction",
					"TukTuk Daily Close",
				):
					self.money_writes.append((lineno, f"SQL UPDATE of {table} money fields"))
				continue
			if _ASSIGNS_MONEY.search(assignments) or UNKNOWN in assignments:
				self.money_writes.append((lineno, f"SQL UPDATE of {table} setting money fields"))
		if _WRITE_PAYOUT.search(sql):
			self.payout_writes.append((lineno, "SQL write to TukTuk Payout"))

	def visit_Call(self, node):
		func = node.func
		name = func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""
		args = list(node.args) + [k.value for k in node.keywords]
		if name in ("set_value", "set_single_value", "db_set"):
			strings = set(self.strings_in(ast.Tuple(elts=args, ctx=ast.Load())))
			first = self.text(node.args[0]) if node.args else None
			if strings & set(MONEY_FIELDS) and (name == "db_set" or first in (DRIVER, None, "")):
				self.money_writes.append((node.lineno, f"{name} of {sorted(strings & set(MONEY_FIELDS))}"))
			if name != "db_set" and first == PAYOUT:
				self.payout_writes.append((node.lineno, f"{name} on TukTuk Payout"))
			if (
				name == "db_set"
				and self._doc_variable(func.value if isinstance(func, ast.Attribute) else None) == PAYOUT
			):
				self.payout_writes.append((node.lineno, "db_set on a TukTuk Payout"))
		if name in ("set", "update") and isinstance(func, ast.Attribute):
			doctype = self._doc_variable(func.value)
			if doctype in ("", DRIVER):
				keys = set(self.strings_in(ast.Tuple(elts=args, ctx=ast.Load())))
				keys |= {k.arg for k in node.keywords if k.arg}
				if keys & set(MONEY_FIELDS):
					self.money_writes.append(
						(node.lineno, f"document {name} of {sorted(keys & set(MONEY_FIELDS))}")
					)
		if name in ("save", "insert", "delete", "db_update") and isinstance(func, ast.Attribute):
			if self._doc_variable(func.value) == PAYOUT:
				self.payout_writes.append((node.lineno, f"{name}() of a TukTuk Payout"))
			inner = func.value
			if isinstance(inner, ast.Call) and self.doctype_of_factory(inner) == PAYOUT:
				self.payout_writes.append((node.lineno, f"{name}() of a new TukTuk Payout"))
			if isinstance(inner, ast.Call) and self.doctype_of_factory(inner) == DRIVER and inner.args:
				if isinstance(inner.args[0], ast.Dict):
					keys = {self.text(k) for k in inner.args[0].keys if k is not None}
					if keys & set(MONEY_FIELDS):
						self.money_writes.append((node.lineno, "a driver inserted with money fields"))
		if name in ("insert", "by_app") and isinstance(func, ast.Attribute) and _is_records(func.value):
			# records.insert({...}) / records.by_app(doc): a money record written as its owner (tuktuk_management/records.py)
			first = node.args[0] if node.args else None
			doctype = self.doctype_of_factory(first) if isinstance(first, ast.Call) else None
			if isinstance(first, ast.Dict):
				doctype = self.doctype_in_dict(first)
			elif isinstance(first, ast.Name):
				doctype = self._doc_variable(first)
			if doctype == PAYOUT:
				self.payout_writes.append((node.lineno, f"records.{name} of a TukTuk Payout"))
		if (
			name == "delete"
			and isinstance(func, ast.Attribute)
			and node.args
			and self.text(node.args[0]) == PAYOUT
		):
			self.payout_writes.append((node.lineno, "frappe.db.delete of TukTuk Payout"))
		if name == "getattr" and len(node.args) >= 2 and self.text(node.args[1]) in HTTP_ATTRIBUTES:
			if _is_frappe(node.args[0]):
				self.http.append((node.lineno, f"getattr(frappe..., {self.text(node.args[1])!r})"))
		self.generic_visit(node)

	def visit_Attribute(self, node):
		if node.attr in HTTP_ATTRIBUTES and _is_frappe(node.value):
			self.http.append((node.lineno, f"frappe...{node.attr}"))
		self.generic_visit(node)

	def visit_ImportFrom(self, node):
		if node.module == "frappe":
			for alias in node.names:
				if alias.name in HTTP_ATTRIBUTES + ("local",):
					self.http.append((node.lineno, f"from frappe import {alias.name}"))


def _is_records(node) -> bool:
	"""``records`` (tuktuk_management.records) or ``tuktuk_management.records``."""
	return (isinstance(node, ast.Name) and node.id == "records") or (
		isinstance(node, ast.Attribute) and node.attr == "records"
	)


def _is_frappe(node) -> bool:
	"""``frappe`` or ``frappe.local``."""
	if isinstance(node, ast.Name):
		return node.id == "frappe"
	return isinstance(node, ast.Attribute) and node.attr == "local" and _is_frappe(node.value)


def scan(source: str, constants: dict[str, str]) -> Scanner:
	scanner = Scanner({**constants, **string_constants({"": source})})
	scanner.visit(ast.parse(source))
	return scanner


@pytest.fixture(scope="module")
def sources():
	return app_sources()


@pytest.fixture(scope="module")
def scans(sources):
	constants = string_constants(sources)
	return {path: scan(source, constants) for path, source in sources.items()}


def _report(findings: dict[str, list]) -> str:
	return "\n".join(f"{path}:{line}: {what}" for path, items in findings.items() for line, what in items)


def test_only_the_ledger_writes_money(scans):
	offenders = {p: s.money_writes for p, s in scans.items() if s.money_writes and p != LEDGER}
	assert not offenders, "money written outside ledger.py:\n" + _report(offenders)
	assert scans[LEDGER].money_writes, "the rule sees nothing in ledger.py: it can no longer tell"


def test_only_the_outbox_creates_and_changes_payouts(scans):
	offenders = {p: s.payout_writes for p, s in scans.items() if s.payout_writes and p != OUTBOX}
	assert not offenders, "TukTuk Payout written outside payouts/outbox.py:\n" + _report(offenders)
	assert scans[OUTBOX].payout_writes, "the rule sees nothing in outbox.py: it can no longer tell"


def test_only_the_api_touches_http(scans):
	offenders = {p: s.http for p, s in scans.items() if s.http and not p.startswith(API)}
	assert not offenders, "HTTP touched outside api/ (use api/door.py):\n" + _report(offenders)
	assert scans["api/door.py"].http, "the rule sees nothing in api/door.py: it can no longer tell"


# -- each rule fails on a planted violation ------------------------------------------------------------------

PLANTED_MONEY = {
	"raw UPDATE": 'frappe.db.sql("update `tabTukTuk Driver` set current_balance = 0 where name = %s", (n,))',
	"f-string UPDATE": 'DRIVER = "TukTuk Driver"\nfrappe.db.sql(f"UPDATE `tab{DRIVER}` SET left_to_target = %s", (x,))',
	"SET built elsewhere": 'frappe.db.sql(f"UPDATE `tabTukTuk Driver` SET {clause()} WHERE name = %s", (n,))',
	"set_value": 'frappe.db.set_value("TukTuk Driver", n, "share_carry", 0)',
	"set_value dict": 'DRIVER = "TukTuk Driver"\nfrappe.db.set_value(DRIVER, n, {"consecutive_misses": 0})',
	"db_set": 'def f(doc):\n\tdoc.db_set("balance_period", None)',
	"assign and save": 'def f():\n\tdoc = frappe.get_doc("TukTuk Driver", n)\n\tdoc.current_balance += 5\n\tdoc.save()',
	"controller assigns": "class TukTukDriver(Document):\n\tdef validate(self):\n\t\tself.left_to_target = 0",
	"doc.set": 'def f():\n\tdoc = frappe.get_doc("TukTuk Driver", n)\n\tdoc.set("share_carry", 0)\n\tdoc.save()',
	"insert with a balance": 'frappe.get_doc({"doctype": "TukTuk Driver", "current_balance": 9}).insert()',
}
PLANTED_PAYOUT = {
	"insert": 'frappe.get_doc({"doctype": "TukTuk Payout", "amount": 1}).insert(ignore_permissions=True)',
	"new_doc": 'def f():\n\tp = frappe.new_doc("TukTuk Payout")\n\tp.amount = 1\n\tp.insert()',
	"set_value": 'PAYOUT = "TukTuk Payout"\nfrappe.db.set_value(PAYOUT, n, "status", "Paid")',
	"raw SQL": 'frappe.db.sql("update `tabTukTuk Payout` set status = %s", ("Paid",))',
	"load and save": 'def f():\n\tdoc = frappe.get_doc("TukTuk Payout", n)\n\tdoc.status = "Paid"\n\tdoc.save()',
}
PLANTED_PAYOUT["records.insert"] = 'records.insert({"doctype": "TukTuk Payout", "amount": 1})'
PLANTED_HTTP = {
	"frappe.request": "body = frappe.request.get_data()",
	"frappe.local.request": 'token = frappe.local.request.args.get("token")',
	"getattr": 'request = getattr(frappe.local, "request", None)',
	"form_dict": 'token = frappe.form_dict.get("token")',
	"local form_dict": "token = frappe.local.form_dict.token",
	"request_ip": 'addr = getattr(frappe.local, "request_ip", None)',
	"only_for": 'frappe.only_for(["TukTuk Manager"])',
	"response": 'frappe.local.response["http_status_code"] = 400',
	"import": "from frappe import form_dict",
}
INNOCENT = textwrap.dedent(
	"""
	DRIVER = "TukTuk Driver"
	def f(result):
		frappe.db.sql("update `tabTukTuk Callback` set status = 'Duplicate', error = %s", (e,))
		frappe.db.set_value(DRIVER, n, "assigned_tuktuk", None)
		row = frappe.db.get_value(DRIVER, n, ["current_balance", "left_to_target"], for_update=True)
		result.update(current_balance=row.current_balance)
		frappe.db.sql("select current_balance from `tabTukTuk Driver` where name = %s for update", (n,))
		doc = frappe.get_doc("TukTuk Payout", n, for_update=True)
		return doc.status
	"""
)


@pytest.mark.parametrize("label", PLANTED_MONEY)
def test_a_planted_money_write_is_caught(label):
	assert scan(PLANTED_MONEY[label], {}).money_writes, label


@pytest.mark.parametrize("label", PLANTED_PAYOUT)
def test_a_planted_payout_write_is_caught(label):
	assert scan(PLANTED_PAYOUT[label], {}).payout_writes, label


@pytest.mark.parametrize("label", PLANTED_HTTP)
def test_a_planted_http_touch_is_caught(label):
	assert scan(PLANTED_HTTP[label], {}).http, label


def test_reads_and_other_writes_are_not_flagged():
	scanner = scan(INNOCENT, {})
	assert (scanner.money_writes, scanner.payout_writes, scanner.http) == ([], [], [])
