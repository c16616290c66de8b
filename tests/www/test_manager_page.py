"""The manager page /tuktuk on frappe_lite (no Desk), end to end in headless Chromium: a Guest gets the sign-in
form, a manager signs in, sees the seeded discrepancy, fixes it (confirmed), assigns an uncaptured payment,
retries a failed payout and downloads a statement; the database is checked after each step, and no JavaScript
error may be logged. A signed-in non-manager is refused (403).

Debian's chromium (/usr/bin/chromium) driven by Playwright; without either the module is skipped with one
line saying which is missing (the CI machine has both). Screenshots: <sites>/screenshots/ (path printed)."""

import csv
import io
from decimal import Decimal
from pathlib import Path

import pytest
import requests

from tests.conftest import create_test_site, drop_test_site
from tests.helpers.server import FrappeServe

CHROMIUM = "/usr/bin/chromium"
MANAGER = ("mgr@tuktuk.test", "Mgr-Page-pass-1")
CLERK = ("clerk@tuktuk.test", "Clerk-Page-pass-1")

if not Path(CHROMIUM).exists():
	pytest.skip(
		f"/tuktuk browser test skipped: {CHROMIUM} is missing (apt-get install chromium)",
		allow_module_level=True,
	)
try:
	from playwright.sync_api import sync_playwright
except ImportError:
	pytest.skip(
		"/tuktuk browser test skipped: playwright is not installed (make setup)", allow_module_level=True
	)


@pytest.fixture(scope="module")
def site(tmp_path_factory):
	site = create_test_site("sqlite", tmp_path_factory.mktemp("sites"))
	try:
		yield site
	finally:
		drop_test_site(site)


@pytest.fixture(scope="module")
def seeded(site):
	"""Through the app's own code: drivers paid by real crediting, one balance moved off its ledger, an
	uncaptured payment (unknown account), a payout M-Pesa failed."""
	site.cli("add-user", MANAGER[0], "--password", MANAGER[1], "--add-role", "TukTuk Manager")
	site.cli("add-user", CLERK[0], "--password", CLERK[1])
	with site.connect() as frappe:
		from tuktuk_management import c2b
		from tuktuk_management.payouts import outbox
		from tuktuk_management.tests.reconciliation_utils import corrupt_balance
		from tuktuk_management.tests.utils import make_driver, make_payment

		good, bad = make_driver(), make_driver()
		for driver in (good, bad):
			make_payment(driver, "300")
			make_payment(driver, "120")
		corrupt_balance(bad.name, "45.5")
		uncaptured = c2b.add_missed_transaction(
			"PAGEUNC001", "260", account="NOBODY-HERE", customer_phone="254711000111"
		)
		assert uncaptured["status"] == "Uncaptured", uncaptured
		payout = frappe.get_all("TukTuk Payout", filters={"driver": good.name}, pluck="name")[0]
		outbox.update_payout(payout, {"status": "Failed", "last_error": "seeded: M-Pesa refused"})
		frappe.db.commit()
		return {"good": good.name, "bad": bad.name, "callback": uncaptured["callback"], "payout": payout}


@pytest.fixture(scope="module")
def server(site, seeded):
	with FrappeServe(site.sites_path, site.name, workers=1) as served:
		yield served


def db_value(site, doctype, name, field):
	with site.connect() as frappe:
		return frappe.db.get_value(doctype, name, field)


@pytest.fixture(scope="module")
def browser():
	with sync_playwright() as p:
		b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
		yield b
		b.close()


def test_manager_page_end_to_end(site, seeded, server, browser):
	shots = Path(site.sites_path) / "screenshots"
	shots.mkdir(exist_ok=True)
	problems = []
	context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
	context.set_default_timeout(30_000)
	page = context.new_page()
	page.on(
		"console", lambda m: problems.append(f"console {m.type}: {m.text}") if m.type == "error" else None
	)
	page.on("pageerror", lambda e: problems.append(f"uncaught: {e}"))
	page.on("response", lambda r: problems.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None)
	page.on(
		"dialog",
		lambda d: (
			problems.append(f"unexpected dialog: {d.message}")
			if "balance" not in d.message and "again" not in d.message
			else None,
			d.accept(),
		),
	)
	shot = lambda name: page.screenshot(path=str(shots / name), full_page=True)  # noqa: E731
	try:
		# A Guest: the sign-in form; a manager signs in through it.
		page.goto(f"{server.url}/tuktuk")
		page.fill("#login-email", MANAGER[0])
		page.fill("#login-password", MANAGER[1])
		shot("www-01-sign-in.png")
		page.click("#login-form button[type=submit]")
		page.wait_for_selector("#drivers")
		shot("www-02-dashboard.png")

		# The seeded discrepancy is highlighted, the balanced driver is not; amounts are KES.
		bad_row = page.locator(f'tr.driver[data-driver="{seeded["bad"]}"]')
		assert "discrepant" in bad_row.get_attribute("class")
		assert "KES 45.50" in bad_row.inner_text(), bad_row.inner_text()
		assert "discrepant" not in page.locator(f'tr.driver[data-driver="{seeded["good"]}"]').get_attribute(
			"class"
		)
		assert int(page.inner_text("#discrepancy-count")) == 1

		# Fix (the confirm shows old -> new and is accepted), then it is gone.
		before = Decimal(str(db_value(site, "TukTuk Driver", seeded["bad"], "current_balance")))
		bad_row.locator("button.fix").click()
		page.wait_for_selector("#notice:visible")
		page.wait_for_function(
			"d => !document.querySelector(`tr.driver[data-driver='${d}']`).classList.contains('discrepant')",
			arg=seeded["bad"],
		)
		after = Decimal(str(db_value(site, "TukTuk Driver", seeded["bad"], "current_balance")))
		assert after == before - Decimal("45.50"), (before, after)
		assert int(page.inner_text("#discrepancy-count")) == 0
		shot("www-03-fixed.png")

		# Assign the uncaptured payment to the balanced driver, whole amount to the balance.
		row = page.locator(f'tr.uncaptured[data-callback="{seeded["callback"]}"]')
		row.locator("select.assign-driver").select_option(seeded["good"])
		row.locator("select.assign-action").select_option("deposit_share")
		shot("www-04-assign.png")
		row.locator("button.assign").click()
		page.wait_for_selector("#uncaptured p.empty")
		assert db_value(site, "TukTuk Callback", seeded["callback"], "status") == "Processed"
		with site.connect() as frappe:
			rows = frappe.get_all(
				"TukTuk Transaction", filters={"transaction_id": "PAGEUNC001"}, fields=["driver", "amount"]
			)
		assert [(r.driver, Decimal(str(r.amount))) for r in rows] == [(seeded["good"], Decimal("260"))]

		# Retry the failed payout: the outbox holds it (B2C is off on this site), it is no longer Failed.
		retry = f'button.retry[data-payout="{seeded["payout"]}"]'
		page.locator(retry).click()
		page.wait_for_selector(retry, state="detached")  # the page reloaded without a Retry for it
		assert db_value(site, "TukTuk Payout", seeded["payout"], "status") != "Failed"
		shot("www-05-after-actions.png")

		# The statement: a CSV whose target contributions add up to the driver's balance.
		with page.expect_download() as download_info:
			page.locator(f'tr.driver[data-driver="{seeded["good"]}"] a.statement').click()
		text = Path(download_info.value.path()).read_text()
		totals = {line[0]: line[1] for line in csv.reader(io.StringIO(text)) if len(line) >= 2}
		balance = Decimal(str(db_value(site, "TukTuk Driver", seeded["good"], "current_balance")))
		assert Decimal(totals["total_target_contribution"]) == balance, totals
	finally:
		context.close()
		print(f"\n/tuktuk screenshots: {shots}")
	assert not problems, "\n".join(problems)


def test_non_managers_are_refused(server, seeded):
	s = requests.Session()
	assert s.post(f"{server.url}/api/method/login", data={"usr": CLERK[0], "pwd": CLERK[1]}, timeout=30).ok
	r = s.get(f"{server.url}/tuktuk", timeout=30)
	assert r.status_code == 403 and "Not Permitted" in r.text
	guest = requests.get(f"{server.url}/tuktuk", timeout=30)
	assert guest.status_code == 200 and 'id="login-form"' in guest.text and seeded["bad"] not in guest.text


def test_search_reaches_any_driver(server, seeded, site):
	"""The list is capped (DRIVER_ROWS, discrepant first): ?q= finds a driver by ID or name whatever the cap."""
	s = requests.Session()
	assert s.post(
		f"{server.url}/api/method/login", data={"usr": MANAGER[0], "pwd": MANAGER[1]}, timeout=30
	).ok
	r = s.get(f"{server.url}/tuktuk", params={"q": seeded["good"].lower()}, timeout=30)
	assert r.status_code == 200
	assert f'data-driver="{seeded["good"]}"' in r.text and f'data-driver="{seeded["bad"]}"' not in r.text
	assert "Showing 1 of 1 drivers" in r.text
	r = s.get(f"{server.url}/tuktuk", params={"q": "no-such-driver"}, timeout=30)
	assert "Showing 0 of 0 drivers" in r.text and "No driver matches" in r.text

	with site.connect():
		from tuktuk_management.api import manager_page

		cap = manager_page.DRIVER_ROWS
		manager_page.DRIVER_ROWS = 1
		try:
			rows, total = manager_page.drivers()
			found, _ = manager_page.drivers(seeded["good"])
		finally:
			manager_page.DRIVER_ROWS = cap
	assert total >= 2 and len(rows) == 1
	assert [r["name"] for r in found] == [seeded["good"]]
