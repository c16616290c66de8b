"""(g) The admin's work in Desk, in a real browser on the real bench (Debian's chromium via Playwright, as
test_4_desk_smoke): every button, dialog and list action a manager uses, each followed by a look at the
database, with the site's default currency switched away from KES for the whole module (every amount must
still read KES), and no JavaScript error, Server Error or failing app request anywhere.

Seeded over HTTP as Administrator through the app's own methods (a payment entered as a missed transaction,
uncaptured ones to an unknown account), plus a few raw writes in `bench console` for states only a fault makes
(a balance off its ledger, a Failed callback, a Failed and an in-doubt payout). Screenshots: ARTIFACTS/admin/."""

import json
import re
import uuid

import pytest
import requests

from tests.realbench.realbench import REPORT, bench
from tests.realbench.test_4_desk_smoke import Watch
from tests.realbench.test_4_desk_smoke import browser as browser  # the module-scoped fixture

OTHER_CURRENCY = "USD"


class Http:
	def __init__(self, facts, user, password):
		self.base, self.session = facts["base_url"], requests.Session()
		self.session.headers["Host"] = facts["host_header"]
		r = self.session.post(
			self.base + "/api/method/login", json={"usr": user, "pwd": password}, timeout=60
		)
		r.raise_for_status()

	def post(self, method, **kwargs):
		return self.session.post(self.base + "/api/method/" + method, json=kwargs, timeout=120)

	def call(self, method, **kwargs):
		r = self.post(method, **kwargs)
		assert r.status_code == 200, f"{method}: HTTP {r.status_code} {r.text[:800]}"
		return r.json().get("message")

	def value(self, doctype, name, fieldname):
		return self.call(
			"frappe.client.get_value", doctype=doctype, filters={"name": name}, fieldname=fieldname
		)[fieldname]

	def values(self, doctype, filters, fields):
		return self.call(
			"frappe.client.get_list", doctype=doctype, filters=filters, fields=fields, limit_page_length=0
		)

	def insert(self, doc):
		return self.call("frappe.client.insert", doc=doc)["name"]


def console(facts, lines):
	"""Single-line statements in `bench console` (IPython reads stdin line by line), then a commit."""
	stdin = "\n".join([*lines, "frappe.db.commit()", ""]) + "\n"
	result = bench("--site", facts["site"], "console", stdin=stdin, timeout=300)
	assert result.returncode == 0 and "Traceback" not in result.stdout, result.stdout[-3000:]
	return result.stdout


@pytest.fixture(scope="module")
def seeded(facts):
	admin = Http(facts, facts["admin_user"], facts["admin_password"])
	tag = uuid.uuid4().hex[:6].upper()
	s = {"tag": tag, "admin": admin}

	def driver(first, phone):
		return admin.insert(
			{
				"doctype": "TukTuk Driver",
				"driver_first_name": first,
				"driver_last_name": tag,
				"mpesa_number": phone,
			}
		)

	def vehicle(account):
		return admin.insert(
			{"doctype": "TukTuk Vehicle", "tuktuk_id": f"TT{account}", "mpesa_account": account}
		)

	def assign(drv, veh):
		admin.call(
			"frappe.client.set_value",
			doctype="TukTuk Driver",
			name=drv,
			fieldname="assigned_tuktuk",
			value=veh,
		)

	def pay(trans_id, amount, account):
		return admin.call(
			"tuktuk_management.api.tuktuk.add_missed_transaction",
			transaction_id=trans_id,
			amount=amount,
			account=account,
			customer_phone="254700000001",
		)

	digits = str(uuid.uuid4().int)[:6]
	s["driver"] = driver("Desk", f"2547{digits}01")
	s["vehicle"] = vehicle(f"A{tag}")
	assign(s["driver"], s["vehicle"])
	s["list_driver"] = driver("Listed", f"2547{digits}02")
	s["list_vehicle"] = vehicle(f"L{tag}")
	assign(s["list_driver"], s["list_vehicle"])
	s["late_driver"] = driver("Late", f"2547{digits}03")
	for i, amount in enumerate(("200", "300", "100")):
		assert pay(f"D{tag}{i}", amount, f"A{tag}")["status"] == "Processed"
	assert pay(f"L{tag}0", "400", f"L{tag}")["status"] == "Processed"
	s["uncaptured"] = pay(f"U{tag}", "150", f"NOWHERE{tag}")
	assert s["uncaptured"]["status"] == "Uncaptured", s["uncaptured"]
	s["uncaptured"] = s["uncaptured"]["callback"]
	late = pay(f"R{tag}", "120", f"R{tag}")
	assert late["status"] == "Uncaptured", late
	s["failed_callback"] = late["callback"]
	# The account exists now: a replay resolves it (the payment failed to credit before).
	s["late_vehicle"] = vehicle(f"R{tag}")
	assign(s["late_driver"], s["late_vehicle"])
	payouts = admin.values("TukTuk Payout", {"driver": s["driver"]}, ["name", "status", "attempts"])
	assert len(payouts) >= 2, payouts
	s["failed_payout"], s["doubt_payout"] = payouts[0]["name"], payouts[1]["name"]
	s["doubt_attempts"] = 1
	console(
		facts,
		[
			"import frappe",
			f"frappe.db.set_value('TukTuk Driver', '{s['driver']}', 'current_balance', 999.5, update_modified=False)",
			f"frappe.db.set_value('TukTuk Driver', '{s['list_driver']}', 'current_balance', 7.25, update_modified=False)",
			f"frappe.db.set_value('TukTuk Callback', '{s['failed_callback']}', 'status', 'Failed', update_modified=False)",
			f"frappe.db.set_value('TukTuk Payout', '{s['failed_payout']}', {{'status': 'Failed', 'last_error': 'seeded: M-Pesa refused'}}, update_modified=False)",
			f"frappe.db.set_value('TukTuk Payout', '{s['doubt_payout']}', {{'status': 'Unknown', 'attempts': 1}}, update_modified=False)",
		],
	)
	s["ledger_total"] = admin.call(
		"tuktuk_management.api.tuktuk.reconcile_driver_balance", driver_name=s["driver"]
	)["calculated_balance"]
	yield s


@pytest.fixture(scope="module")
def other_currency(facts):
	"""The site's default currency is not KES while these tests run (Desk must show KES anyway)."""
	console(
		facts,
		["import frappe", f"frappe.db.set_default('currency', '{OTHER_CURRENCY}')", "frappe.clear_cache()"],
	)
	try:
		yield OTHER_CURRENCY
	finally:
		console(facts, ["import frappe", "frappe.db.set_default('currency', 'KES')", "frappe.clear_cache()"])


class Desk:
	"""A manager's logged-in browser tab, with what went wrong collected and screenshots saved."""

	def __init__(self, facts, browser, shots):
		self.facts, self.shots, self.watch = facts, shots, Watch()
		self.context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
		self.context.set_default_timeout(60_000)
		self.context.on(
			"page", lambda p: (p.on("console", self.watch.console), p.on("pageerror", self.watch.pageerror))
		)
		self.context.on("response", self.watch.response)
		self.page = self.context.new_page()
		self.page.goto(f"{facts['site_url']}/login")
		self.page.fill("#login_email", facts["manager"]["user"])
		self.page.fill("#login_password", facts["manager"]["password"])
		self.page.click(".btn-login")
		self.page.wait_for_url(re.compile(r"/app(/|$)"))

	def kes_mark(self):
		"""How Desk writes KES here: the Currency record's symbol when the site has it enabled, else the code."""
		return self.page.evaluate("() => frappe.model.get_value(':Currency', 'KES', 'symbol') || 'KES'")

	def shot(self, name):
		self.page.wait_for_timeout(400)  # let fades settle for the picture (not an assert)
		self.page.screenshot(path=str(self.shots / name), full_page=False)

	def open(self, path, ready):
		self.page.goto(f"{self.facts['site_url']}{path}")
		self.page.wait_for_selector(ready)
		self.page.wait_for_timeout(500)

	def open_form(self, doctype_route, name):
		self.open(f"/app/{doctype_route}/{name}", ".page-head:visible .title-area")
		self.page.wait_for_function(
			f"() => window.cur_frm && cur_frm.doc && cur_frm.doc.name === {json.dumps(name)}"
		)
		self.page.wait_for_timeout(500)

	def menu(self, group, item):
		self.page.locator(f'.inner-group-button[data-label="{group}"] > button').click()
		self.page.locator(f'.inner-group-button[data-label="{group}"] .dropdown-item', has_text=item).click()

	def dialog(self, title=None):
		d = self.page.locator(".modal.show .modal-dialog").last
		d.wait_for()
		if title:
			self.page.wait_for_function(
				"t => [...document.querySelectorAll('.modal.show .modal-title')].some(e => e.innerText.includes(t))",
				arg=title,
			)
		return d

	def close_dialogs(self):
		for _ in range(3):
			if not self.page.locator(".modal.show").count():
				return
			self.page.keyboard.press("Escape")
			self.page.wait_for_timeout(400)

	def set_dialog_values(self, values):
		self.page.wait_for_function("() => window.cur_dialog && cur_dialog.display")
		self.page.evaluate("v => cur_dialog.set_values(v)", values)
		self.page.wait_for_timeout(300)

	def problems(self):
		return self.watch.problems


@pytest.fixture(scope="module")
def desk(facts, browser, seeded, other_currency):
	shots = facts.artifacts / "admin"
	shots.mkdir(exist_ok=True)
	for old in shots.glob("*.png"):
		old.unlink()
	d = Desk(facts, browser, shots)
	yield d
	REPORT.append(f"Desk admin screenshots: {shots}")
	d.context.close()


def no_problems(desk):
	problems, desk.watch.problems = desk.watch.problems, []
	assert not problems, "\n".join(problems)


def test_site_currency_is_not_kes(desk, seeded):
	assert desk.page.evaluate("frappe.boot.sysdefaults.currency") == OTHER_CURRENCY


def test_driver_form_reconcile_then_fix_balance(desk, seeded):
	admin, driver = seeded["admin"], seeded["driver"]
	desk.open_form("tuktuk-driver", driver)
	balance_field = desk.page.locator('[data-fieldname="current_balance"] .control-value').first
	kes = desk.kes_mark()
	assert balance_field.inner_text().startswith(kes), (kes, balance_field.inner_text())
	assert "$" not in balance_field.inner_text()
	desk.menu("Balance", "Reconcile Balance")
	dialog = desk.dialog("Balance Reconciliation")
	body = dialog.locator(".modal-body").inner_text()
	desk.shot("01-reconcile-balance.png")
	assert f"{kes} 999.50" in body.replace("\u00a0", " "), body
	desk.close_dialogs()
	# The reconciliation record now says "discrepancy": the form shows it in red.
	desk.open_form("tuktuk-driver", driver)
	alert = desk.page.locator(".form-message:not(.hidden)").first
	alert.wait_for()
	assert "discrepancy" in alert.inner_text().lower(), alert.inner_text()
	desk.shot("02-driver-discrepancy-alert.png")

	desk.menu("Balance", "Fix Balance")
	confirm = desk.dialog()
	text = confirm.inner_text()
	desk.shot("03-fix-balance-confirm.png")
	assert f"{kes} 999.50" in text.replace("\u00a0", " "), text
	assert float(admin.value("TukTuk Driver", driver, "current_balance")) == 999.5, (
		"changed before the confirm"
	)
	confirm.locator(".btn-modal-primary").click()
	desk.dialog("Balance Fixed")
	desk.shot("04-balance-fixed.png")
	desk.close_dialogs()
	assert float(admin.value("TukTuk Driver", driver, "current_balance")) == float(seeded["ledger_total"])
	desk.page.wait_for_function(f"() => cur_frm.doc.current_balance == {float(seeded['ledger_total'])}")
	no_problems(desk)


def test_driver_form_missed_payment_and_connections(desk, seeded):
	admin, driver, tag = seeded["admin"], seeded["driver"], seeded["tag"]
	desk.open_form("tuktuk-driver", driver)
	before = float(admin.value("TukTuk Driver", driver, "current_balance"))
	desk.menu("Balance", "Enter Missed Payment")
	desk.dialog("Enter Missed Payment")
	desk.page.locator('.modal.show [data-fieldname="transaction_id"] input').fill(f"M{tag}")
	desk.set_dialog_values({"amount": 250, "customer_phone": "254700000002"})
	desk.shot("05-missed-payment-dialog.png")
	desk.page.locator(".modal.show .btn-modal-primary").click()
	desk.dialog("Payment Processed")
	desk.shot("06-missed-payment-done.png")
	desk.close_dialogs()
	rows = admin.values("TukTuk Transaction", {"transaction_id": f"M{tag}"}, ["driver", "amount", "currency"])
	assert len(rows) == 1 and rows[0]["driver"] == driver and float(rows[0]["amount"]) == 250, rows
	assert rows[0]["currency"] == "KES"
	assert float(admin.value("TukTuk Driver", driver, "current_balance")) > before
	# Connections: the driver's money and checks, one click away.
	desk.open_form("tuktuk-driver", driver)
	links = desk.page.locator(".form-dashboard .document-link")
	labels = " ".join(links.all_inner_texts())
	for doctype in ("TukTuk Transaction", "TukTuk Payout", "TukTuk Balance Reconciliation"):
		assert doctype in labels, labels
	no_problems(desk)


def test_vehicle_form_missed_payment(desk, seeded):
	admin, tag = seeded["admin"], seeded["tag"]
	desk.open_form("tuktuk-vehicle", seeded["vehicle"])
	desk.page.locator(".custom-actions button", has_text="Enter Missed Payment").click()
	desk.dialog("Enter Missed Payment")
	desk.page.locator('.modal.show [data-fieldname="transaction_id"] input').fill(f"V{tag}")
	desk.set_dialog_values({"amount": 80})
	desk.page.locator(".modal.show .btn-modal-primary").click()
	outcome = desk.dialog("Payment Processed").inner_text()
	desk.shot("06b-vehicle-missed-payment.png")
	desk.close_dialogs()
	rows = admin.values("TukTuk Transaction", {"transaction_id": f"V{tag}"}, ["driver", "tuktuk", "amount"])
	assert [(r["driver"], r["tuktuk"], float(r["amount"])) for r in rows] == [
		(seeded["driver"], seeded["vehicle"], 80.0)
	], outcome
	no_problems(desk)


def test_driver_list_reconcile_all_check_only_then_fix(desk, seeded):
	admin, listed = seeded["admin"], seeded["list_driver"]
	desk.open("/app/tuktuk-driver", ".frappe-list .result, .frappe-list .no-result")
	desk.page.locator(".custom-actions button", has_text="Reconcile All").click()
	desk.dialog("Reconcile All Drivers")
	desk.shot("07-reconcile-all-dialog.png")
	desk.page.locator(".modal.show .btn-modal-primary").click()
	summary = desk.dialog("Reconcile All: Summary")
	text = summary.inner_text()
	desk.shot("08-reconcile-all-summary.png")
	assert listed in text and "0 fixed" in text, text
	assert float(admin.value("TukTuk Driver", listed, "current_balance")) == 7.25, (
		"check-only fixed a balance"
	)
	desk.close_dialogs()

	desk.page.locator(".custom-actions button", has_text="Reconcile All").click()
	desk.dialog("Reconcile All Drivers")
	desk.page.locator('.modal.show input[data-fieldname="auto_fix"]').check()
	desk.page.locator(".modal.show .btn-modal-primary").click()
	text = desk.dialog("Reconcile All: Summary").inner_text()
	assert "fixed" in text and "0 fixed" not in text, text
	desk.close_dialogs()
	check = admin.call("tuktuk_management.api.tuktuk.reconcile_driver_balance", driver_name=listed)
	assert float(check["discrepancy"]) == 0, check
	no_problems(desk)


def test_uncaptured_payment_assigned_from_its_form(desk, seeded):
	admin, callback = seeded["admin"], seeded["uncaptured"]
	desk.open_form("tuktuk-callback", callback)
	amount = desk.page.locator('[data-fieldname="amount"] .control-value').first.inner_text()
	assert amount.startswith(desk.kes_mark()) and "$" not in amount, amount
	desk.menu("Actions", "Assign to Driver")
	desk.dialog("Assign Uncaptured Payment")
	desk.set_dialog_values(
		{"driver": seeded["driver"], "tuktuk": seeded["vehicle"], "action_type": "deposit_share"}
	)
	desk.shot("09-assign-uncaptured.png")
	desk.page.locator(".modal.show .btn-modal-primary").click()
	desk.dialog("Payment Processed")
	desk.shot("10-assign-uncaptured-done.png")
	desk.close_dialogs()
	assert admin.value("TukTuk Callback", callback, "status") == "Processed"
	rows = admin.values("TukTuk Transaction", {"transaction_id": f"U{seeded['tag']}"}, ["driver", "amount"])
	assert [(r["driver"], float(r["amount"])) for r in rows] == [(seeded["driver"], 150.0)], rows
	no_problems(desk)


def test_failed_callback_replayed(desk, seeded):
	admin, callback = seeded["admin"], seeded["failed_callback"]
	desk.open_form("tuktuk-callback", callback)
	desk.menu("Actions", "Replay")
	desk.dialog().locator(".btn-modal-primary").click()
	desk.dialog("Payment Processed")
	desk.shot("11-callback-replayed.png")
	desk.close_dialogs()
	assert admin.value("TukTuk Callback", callback, "status") == "Processed"
	rows = admin.values("TukTuk Transaction", {"transaction_id": f"R{seeded['tag']}"}, ["driver"])
	assert [r["driver"] for r in rows] == [seeded["late_driver"]], rows
	no_problems(desk)


def test_failed_payout_retried_and_doubtful_one_only_queried(desk, seeded):
	admin = seeded["admin"]
	failed, doubt = seeded["failed_payout"], seeded["doubt_payout"]
	desk.open_form("tuktuk-payout", failed)
	desk.menu("Actions", "Retry")
	desk.dialog().locator(".btn-modal-primary").click()
	desk.dialog("Payout")
	desk.shot("12-payout-retried.png")
	desk.close_dialogs()
	row = admin.call(
		"frappe.client.get_value",
		doctype="TukTuk Payout",
		filters={"name": failed},
		fieldname=["status", "attempts"],
	)
	# B2C is off on this bench: the outbox holds the retried payout instead of sending it.
	assert row["status"] in ("On Hold", "Queued", "Sent", "Paid"), row
	assert row["status"] != "Failed"

	desk.open_form("tuktuk-payout", doubt)
	assert (
		desk.page.locator(
			'.inner-group-button[data-label="Actions"] .dropdown-item', has_text="Retry"
		).count()
		== 0
	)
	desk.menu("Actions", "Query Status")
	desk.dialog("Payout")
	desk.shot("13-payout-query-status.png")
	desk.close_dialogs()
	row = admin.call(
		"frappe.client.get_value",
		doctype="TukTuk Payout",
		filters={"name": doubt},
		fieldname=["status", "attempts"],
	)
	assert row["status"] == "Unknown" and int(row["attempts"]) == seeded["doubt_attempts"], row
	no_problems(desk)


def test_list_indicators(desk, seeded):
	for route, label in (
		("tuktuk-payout", "Unknown"),
		("tuktuk-callback", "Processed"),
		("tuktuk-transaction", "Completed"),
	):
		desk.open(f"/app/{route}", ".frappe-list .result")
		assert desk.page.locator(".frappe-list .indicator-pill", has_text=label).count() >= 1, route
	desk.shot("14-payout-list.png")
	no_problems(desk)


@pytest.fixture(scope="module")
def clerk(facts):
	"""A Desk user without a manager role."""
	admin = Http(facts, facts["admin_user"], facts["admin_password"])
	email, password = "clerk@tuktuk.realbench", "realbench-Clerk-1"
	exists = admin.values("User", {"name": email}, ["name"])
	if not exists:
		admin.insert(
			{
				"doctype": "User",
				"email": email,
				"first_name": "Clerk",
				"send_welcome_email": 0,
				"new_password": password,
				"roles": [{"role": "Blogger"}],
			}
		)
	return Http(facts, email, password)


@pytest.mark.parametrize(
	"method,args",
	[
		("fix_driver_balance", {"driver_name": "DRV-112001", "auto_fix": 1}),
		("reconcile_all_from_desk", {"auto_fix": 1}),
		(
			"process_uncaptured_payment",
			{"driver": "DRV-112001", "tuktuk": "", "transaction_id": "X1", "customer_phone": "", "amount": 1},
		),
		("add_missed_transaction", {"transaction_id": "X2", "amount": 1, "driver": "DRV-112001"}),
		("retry_payout", {"payout": "x"}),
		("replay_callback", {"callback": "x"}),
	],
)
def test_non_managers_are_refused(clerk, method, args):
	r = clerk.post(f"tuktuk_management.api.tuktuk.{method}", **args)
	assert r.status_code == 403, f"{method}: HTTP {r.status_code} {r.text[:300]}"


CARDS = {
	"TukTuk Payments Today": "payments_today_card",
	"TukTuk KES Received Today": "kes_today_card",
	"TukTuk Uncaptured Waiting": "uncaptured_card",
	"TukTuk Payouts Failed or In Doubt": "payouts_attention_card",
	"TukTuk Drivers With Discrepancy": "discrepancies_card",
}


def test_workspace_cards_chart_shortcuts(desk, seeded):
	admin = seeded["admin"]
	desk.open("/app/tuktuk-management", ".number-widget-box")
	desk.page.wait_for_function(
		"() => document.querySelectorAll('.number-widget-box .number').length >= 6"
		" && !document.querySelector('.number-widget-box .number-card-loading')"
	)
	desk.page.wait_for_selector(".dashboard-widget-box .chart-container, .dashboard-widget-box .frappe-chart")
	desk.page.wait_for_timeout(1500)  # the chart's line animates in: for the picture only (not an assert)
	desk.shot("15-workspace.png")
	desk.page.evaluate("window.scrollTo(0, document.body.scrollHeight)")
	desk.shot("16-workspace-shortcuts.png")
	shown = {}
	for box in desk.page.locator(".number-widget-box").all():
		title = box.locator(".widget-title").text_content().strip()
		shown[title] = box.locator(".number").inner_text().strip()
	for label, method in CARDS.items():
		assert label in shown, shown
		value = admin.call(f"tuktuk_management.api.dashboard.{method}")
		if isinstance(value, dict):
			assert shown[label].split()[0] == str(value["value"]), (label, shown[label], value)
		else:
			assert shown[label] == value and value.startswith("KES "), (label, shown[label], value)
	assert "TukTuk Health Failures" in shown
	assert int(shown["TukTuk Uncaptured Waiting"]) == admin.call(
		"frappe.client.get_count",
		doctype="TukTuk Callback",
		filters={
			"status": ["in", ["Uncaptured", "Failed"]],
			"callback_type": ["in", ["C2B Confirmation", "Manual Entry"]],
		},
	)
	shortcuts = " ".join(desk.page.locator(".shortcut-widget-box").all_inner_texts())
	for label in ("Drivers", "Payouts", "Uncaptured Payments", "Payouts Needing Attention"):
		assert label in shortcuts, shortcuts
	assert "TukTuk Payments per Day" in desk.page.locator(".dashboard-widget-box").first.inner_text()
	# A card opens its report.
	desk.page.locator(".number-widget-box", has_text="TukTuk Payouts Failed or In Doubt").locator(
		".widget-body"
	).click()
	desk.page.wait_for_url(re.compile(r"/app/query-report/Payouts"))
	no_problems(desk)


def report_rows(desk, name, filters=None, ready_rows=True):
	route = f"/app/query-report/{name}"
	if filters:
		route += "?" + "&".join(f"{k}={v}" for k, v in filters.items())
	desk.page.goto(f"{desk.facts['site_url']}{route}")
	desk.page.wait_for_function(
		"n => window.frappe && frappe.query_report && frappe.query_report.report_name === n"
		" && Array.isArray(frappe.query_report.data) && !frappe.query_report.loading",
		arg=name,
	)
	if ready_rows:
		desk.page.wait_for_selector(".dt-scrollable .dt-row")
	desk.page.wait_for_timeout(800)
	return desk.page.evaluate("() => frappe.query_report.data")


def test_reports(desk, seeded):
	admin, driver = seeded["admin"], seeded["driver"]
	kes = desk.kes_mark()

	rows = report_rows(desk, "Driver Balance Reconciliation")
	assert driver in [r.get("driver") for r in rows]
	desk.shot("17-report-balance-reconciliation.png")
	money = desk.page.locator(".dt-scrollable .dt-row").first.inner_text()
	assert kes in money and "$" not in money, money

	rows = report_rows(desk, "Driver Statement", {"driver": driver})
	statement = admin.call("tuktuk_management.api.tuktuk.reconcile_driver_balance", driver_name=driver)
	ledger = [r for r in rows if r.get("transaction_id")]
	assert len(ledger) == statement["transactions_count"], (len(ledger), statement)
	assert float(ledger[-1]["running_balance"]) == float(statement["calculated_balance"])
	desk.shot("18-report-driver-statement.png")

	rows = report_rows(desk, "Daily Targets", {"driver": driver})
	assert rows and rows[0]["driver"] == driver, rows
	assert float(rows[0]["contributed"]) == float(statement["calculated_balance"])
	desk.shot("19-report-daily-targets.png")

	rows = report_rows(desk, "Payouts Needing Attention")
	assert seeded["doubt_payout"] in [r.get("payout") for r in rows]
	desk.shot("20-report-payouts-needing-attention.png")

	rows = report_rows(desk, "Uncaptured Payments", ready_rows=False)
	waiting = admin.values(
		"TukTuk Callback",
		{
			"status": ["in", ["Uncaptured", "Failed"]],
			"callback_type": ["in", ["C2B Confirmation", "Manual Entry"]],
		},
		["name"],
	)
	assert {r.get("callback") for r in rows if r.get("callback") not in (None, "Total")} == {
		w["name"] for w in waiting
	}
	desk.shot("21-report-uncaptured-payments.png")
	no_problems(desk)


def test_manager_page_on_the_bench(desk, seeded, clerk, facts):
	"""/tuktuk renders on real Frappe too (www page, get_context, CSRF from the session) for a manager."""
	admin = seeded["admin"]
	# the bench's main site keeps every run's drivers and the page lists at most DRIVER_ROWS: search for ours
	desk.open(f"/tuktuk?q={seeded['tag']}", "#drivers")
	desk.shot("22-manager-page-bench.png")
	assert desk.page.locator(f'tr.driver[data-driver="{seeded["driver"]}"]').count() == 1
	assert desk.page.inner_text("#drivers-shown").startswith("Showing")
	waiting = admin.call(
		"frappe.client.get_count",
		doctype="TukTuk Callback",
		filters={
			"status": ["in", ["Uncaptured", "Failed"]],
			"callback_type": ["in", ["C2B Confirmation", "Manual Entry"]],
		},
	)
	assert int(desk.page.inner_text("#uncaptured-count")) == waiting
	desk.page.click("#reconcile-all")
	desk.page.wait_for_selector("#notice:visible")
	assert "drivers checked" in desk.page.inner_text("#notice")
	no_problems(desk)
	r = clerk.session.get(clerk.base + "/tuktuk", timeout=60)
	assert r.status_code == 403, r.status_code
	guest = requests.get(facts["base_url"] + "/tuktuk", headers={"Host": facts["host_header"]}, timeout=60)
	assert guest.status_code == 200 and 'id="login-form"' in guest.text
