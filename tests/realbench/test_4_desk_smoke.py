"""(d) Browser smoke of Desk on the real bench: Debian's chromium driven by Playwright (never Playwright's own
browser download). Logs in as the TukTuk Manager through the login page, opens the reference driver's form,
presses Balance > "Reconcile Balance" and Balance > "Download Statement".

Asserted: no error dialog, no Server Error page or response (status >= 500, or a 4xx from the app's methods),
no JavaScript error (console errors and uncaught exceptions), except the /socket.io requests that fail because
the bench runs no socketio server (harmless: Desk works without realtime), and third-party hosts the offline
machine cannot resolve (map tiles). Screenshots go to
ARTIFACTS/desk/ (printed at the end); look at them."""

import re
from pathlib import Path

import pytest

from tests.realbench.realbench import REPORT

CHROMIUM = "/usr/bin/chromium"
ARGS = [
	"--headless",
	"--no-sandbox",
	"--disable-gpu",
	"--disable-quic",
	"--no-first-run",
	"--disable-background-networking",
	"--disable-component-update",
	"--disable-sync",
]
IGNORED = re.compile(r"/socket\.io/")
# The browser resolves only the site's name (to the bench): a name that does not resolve is a third-party host
# (a Geolocation field's map tiles from tile.openstreetmap.org), unreachable from this offline machine.
OFFLINE = re.compile(r"net::ERR_NAME_NOT_RESOLVED")


class Watch:
	"""Everything that went wrong in the browser, with where."""

	def __init__(self):
		self.problems = []

	def console(self, msg):
		if msg.type != "error":
			return
		url = (msg.location or {}).get("url", "")
		if IGNORED.search(url) or IGNORED.search(msg.text) or OFFLINE.search(msg.text):
			return
		self.problems.append(f"console error: {msg.text} ({url})")

	def pageerror(self, error):
		self.problems.append(f"uncaught JavaScript exception: {error}")

	def response(self, response):
		if IGNORED.search(response.url):
			return
		status = response.status
		if status >= 500 or (status >= 400 and ("/api/method/" in response.url or "/app/" in response.url)):
			self.problems.append(f"HTTP {status} from {response.request.method} {response.url}")


@pytest.fixture(scope="module")
def browser(facts):
	if not Path(CHROMIUM).exists():
		pytest.fail(f"{CHROMIUM} is missing: `make realbench-browser` installs Debian's chromium")
	from playwright.sync_api import sync_playwright

	with sync_playwright() as p:
		# The site is picked by the Host header: the browser resolves the site's name to the bench's address,
		# so every request (assets, XHR, the statement window) carries Host: <site>:<port>.
		host = re.match(r"https?://([^:/]+)", facts["base_url"]).group(1)
		rules = f"--host-resolver-rules=MAP {facts['host_header']} {host}"
		browser = p.chromium.launch(executable_path=CHROMIUM, args=[*ARGS, rules], headless=True)
		yield browser
		browser.close()


def test_driver_form_balance_buttons(facts, browser):
	shots = facts.artifacts / "desk"
	shots.mkdir(exist_ok=True)
	for old in shots.glob("*.png"):
		old.unlink()
	site_url = facts["site_url"]
	watch = Watch()
	context = browser.new_context(viewport={"width": 1366, "height": 900}, accept_downloads=True)
	context.set_default_timeout(60_000)
	context.on(
		"page", lambda page: (page.on("console", watch.console), page.on("pageerror", watch.pageerror))
	)
	context.on("response", watch.response)
	page = context.new_page()
	shot = lambda name, pg=page: pg.screenshot(path=str(shots / name), full_page=False)  # noqa: E731
	try:
		page.goto(f"{site_url}/login")
		page.fill("#login_email", facts["manager"]["user"])
		page.fill("#login_password", facts["manager"]["password"])
		shot("01-login.png")
		page.click(".btn-login")
		page.wait_for_url(re.compile(r"/app(/|$)"))

		driver = facts["reference_driver"]
		page.goto(f"{site_url}/app/tuktuk-driver/{driver}")
		page.wait_for_selector(f'.page-title:has-text("{driver}"), .title-text:has-text("Reference Driver")')
		balance = page.locator('.inner-group-button[data-label="Balance"] > button')
		balance.wait_for()
		page.wait_for_timeout(500)  # let the form's refresh settle before the screenshot (not an assert)
		shot("02-driver-form.png")

		# Balance > Reconcile Balance: a msgprint titled "Balance Reconciliation".
		balance.click()
		page.locator(
			'.inner-group-button[data-label="Balance"] .dropdown-item', has_text="Reconcile Balance"
		).click()
		dialog = page.locator(".modal.show .modal-dialog").last
		dialog.wait_for()
		page.wait_for_timeout(500)  # the dialog's fade-in, for the screenshot (not an assert)
		title = dialog.locator(".modal-title").inner_text().strip()
		body = dialog.locator(".modal-body").inner_text().strip()
		shot("03-reconcile-balance.png")
		assert title == "Balance Reconciliation", f"Reconcile Balance showed the dialog {title!r}: {body}"
		assert "discrepancy" in body.lower(), body
		dialog.locator(".btn-modal-close").click()
		page.locator(".modal.show").wait_for(state="detached")

		# Balance > Download Statement: a new window on the statement method; it must download the CSV (or
		# show it), never an error.
		responses = []
		context.on(
			"response", lambda r: responses.append(r) if "download_driver_statement" in r.url else None
		)
		balance.click()
		page.locator(
			'.inner-group-button[data-label="Balance"] .dropdown-item', has_text="Download Statement"
		).click()
		# A date-range dialog (default: the open period) comes first; its Download opens the window.
		statement_dialog = page.locator(".modal.show .modal-dialog")
		statement_dialog.wait_for()
		assert "Download Statement" in statement_dialog.locator(".modal-title").inner_text()
		shot("04-download-statement-dialog.png")
		with context.expect_page() as popup_info:
			statement_dialog.locator(".btn-modal-primary", has_text="Download").click()
		popup = popup_info.value
		try:
			popup.wait_for_load_state()
		except Exception:  # a download closes the window before it loads: the response below says what came
			pass
		for _ in range(100):
			if responses:
				break
			page.wait_for_timeout(100)
		statement_text = ""
		if not popup.is_closed():
			shot("05-download-statement-window.png", popup)
			statement_text = popup.inner_text("body")
		shot("06-driver-form-after.png")
		if not responses:
			watch.problems.append("Download Statement requested nothing")
		for r in responses:
			disposition = r.headers.get("content-disposition", "")
			if r.status >= 400 or (
				"attachment" not in disposition and re.search(r"Server Error|Traceback", statement_text)
			):
				last = [line for line in statement_text.splitlines() if line.strip()][-6:]
				watch.problems.append(
					f"Download Statement: HTTP {r.status} from {r.url}, the window shows: " + " | ".join(last)
				)
		error_dialogs = page.locator(".modal.show .modal-dialog")
		if error_dialogs.count():
			watch.problems.append(f"a dialog is open: {error_dialogs.first.inner_text()}")
	finally:
		REPORT.append(f"Desk smoke screenshots: {shots}")
		context.close()
	if watch.problems:
		pytest.fail("Desk smoke:\n" + "\n".join(watch.problems), pytrace=False)
