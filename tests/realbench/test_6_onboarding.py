"""(f) The module onboarding "Go live with M-Pesa" on the real bench, in a real browser (Debian's chromium via
Playwright, as test_4_desk_smoke): `bench migrate` installed the Module Onboarding and its five Onboarding Steps
from the module folder; a TukTuk Manager completes every step the way the widget drives them (the settings
form saved with a paybill, a vehicle and a driver created, the two Go-to-Page steps), and each step is then
complete in the database. Then the health check's console form on the bench: `bench execute` exits 1 when an
item FAILs and 0 otherwise.

The onboarding shows on a workspace that holds an onboarding block, and only with System Settings > Enable
Onboarding (which the setup wizard turns on): the test turns it on, and uses the workspace "TukTuk Management"
when it carries the onboarding, else a temporary public workspace it deletes afterwards."""

import json
import re
import subprocess

import pytest
import requests

from tests.realbench.realbench import REPORT
from tests.realbench.test_4_desk_smoke import Watch
from tests.realbench.test_4_desk_smoke import browser as browser  # the module-scoped fixture

STEPS = [
	"TukTuk Connect M-Pesa",
	"TukTuk First Vehicle",
	"TukTuk First Driver",
	"TukTuk Register C2B URLs",
	"TukTuk Test Payment",
]
TEMP_WORKSPACE = "TukTuk Go Live Test"


class Admin:
	def __init__(self, facts):
		self.base, self.session = facts["base_url"], requests.Session()
		self.session.headers["Host"] = facts["host_header"]
		r = self.session.post(
			self.base + "/api/method/login",
			json={"usr": facts["admin_user"], "pwd": facts["admin_password"]},
			timeout=60,
		)
		r.raise_for_status()

	def call(self, method, **kwargs):
		r = self.session.post(self.base + "/api/method/" + method, json=kwargs, timeout=60)
		assert r.status_code == 200, f"{method}: HTTP {r.status_code} {r.text[:500]}"
		return r.json().get("message")

	def get(self, doctype, name):
		r = self.session.get(f"{self.base}/api/resource/{doctype}/{name}", timeout=60)
		return r.json().get("data") if r.status_code == 200 else None


@pytest.fixture(scope="module")
def onboarding_workspace(facts):
	admin = Admin(facts)
	admin.call(
		"frappe.client.set_value",
		doctype="System Settings",
		name="System Settings",
		fieldname="enable_onboarding",
		value=1,
	)
	for step in STEPS:
		admin.call(
			"frappe.client.set_value",
			doctype="Onboarding Step",
			name=step,
			fieldname={"is_complete": 0, "is_skipped": 0},
		)
	admin.call(
		"frappe.client.set_value",
		doctype="Module Onboarding",
		name="TukTuk Management",
		fieldname="is_complete",
		value=0,
	)
	existing = admin.get("Workspace", "TukTuk Management")
	if existing and '"onboarding"' in (existing.get("content") or ""):
		yield admin, "tuktuk-management"
		return
	if admin.get("Workspace", TEMP_WORKSPACE):
		admin.session.delete(f"{admin.base}/api/resource/Workspace/{TEMP_WORKSPACE}", timeout=60)
	content = [
		{"id": "golive01", "type": "onboarding", "data": {"onboarding_name": "TukTuk Management", "col": 12}}
	]
	r = admin.session.post(
		admin.base + "/api/resource/Workspace",
		json={
			"label": TEMP_WORKSPACE,
			"title": TEMP_WORKSPACE,
			"module": "TukTuk Management",
			"public": 1,
			"content": json.dumps(content),
		},
		timeout=60,
	)
	assert r.status_code == 200, r.text[:1000]
	try:
		yield admin, "tuktuk-go-live-test"
	finally:
		admin.session.delete(f"{admin.base}/api/resource/Workspace/{TEMP_WORKSPACE}", timeout=60)


def test_onboarding_steps_complete_in_desk(facts, browser, onboarding_workspace):
	admin, route = onboarding_workspace
	shots = facts.artifacts / "onboarding"
	shots.mkdir(exist_ok=True)
	for old in shots.glob("*.png"):
		old.unlink()
	site_url = facts["site_url"]
	watch = Watch()
	context = browser.new_context(viewport={"width": 1366, "height": 900})
	context.set_default_timeout(60_000)
	context.on(
		"page", lambda page: (page.on("console", watch.console), page.on("pageerror", watch.pageerror))
	)
	context.on("response", watch.response)
	page = context.new_page()
	shot = lambda name: page.screenshot(path=str(shots / name), full_page=False)  # noqa: E731
	unique = admin.call("frappe.client.get_count", doctype="TukTuk Vehicle") or 0
	tuktuk_id, account = f"TTOB{unique + 1:03d}{id(page) % 1000}", f"OB{unique + 1:03d}{id(page) % 1000}"

	def open_workspace(steps_shown=True):
		page.goto(f"{site_url}/app/{route}")
		if steps_shown:  # once every step is done the module onboarding is complete and no longer shown
			page.wait_for_selector(".onboarding-step")
		else:
			page.wait_for_selector(".layout-main-section")
		page.wait_for_timeout(300)

	def start(title, button):
		page.locator(".onboarding-step", has_text=title).click()
		page.locator(".onboarding-step-footer button", has_text=button).click()

	def finish_dialog(title, step):
		dialog = page.locator(".modal.show .modal-dialog").last
		dialog.wait_for()
		assert title in dialog.locator(".modal-title").inner_text(), dialog.inner_text()
		dialog.locator(".btn-modal-primary").click()
		# Back on the workspace, and the step marked done there: the next step's click must not race the
		# widget's re-render (the workspace's number cards and chart load at the same time).
		page.wait_for_function(
			"t => [...document.querySelectorAll('.onboarding-step.complete')].some((e) => e.innerText.includes(t))",
			arg=step,
		)
		page.wait_for_timeout(300)

	def fill(fieldname, value):
		page.locator(f'.frappe-control[data-fieldname="{fieldname}"] input').first.fill(value)

	def save():
		page.wait_for_timeout(300)
		page.keyboard.press("Control+s")

	try:
		page.goto(f"{site_url}/login")
		page.fill("#login_email", facts["manager"]["user"])
		page.fill("#login_password", facts["manager"]["password"])
		page.click(".btn-login")
		page.wait_for_url(re.compile(r"/app(/|$)"))
		open_workspace()
		shot("01-onboarding.png")
		assert page.locator(".onboarding-step").count() == 5

		# 1. Update Settings: the settings form, saved with a paybill (the step validates mpesa_paybill).
		start("Connect M-Pesa in TukTuk Settings", "Open TukTuk Settings")
		page.wait_for_selector('.frappe-control[data-fieldname="mpesa_paybill"] input')
		fill("mpesa_paybill", "600984")
		shot("02-settings.png")
		save()
		finish_dialog("Action Complete", "Connect M-Pesa in TukTuk Settings")

		# 2. and 3. Create Entry, full form: a vehicle, then a driver.
		start("Add your first tuktuk", "Add a tuktuk")
		page.wait_for_selector('.frappe-control[data-fieldname="tuktuk_id"] input')
		fill("tuktuk_id", tuktuk_id)
		fill("mpesa_account", account)
		shot("03-vehicle.png")
		save()
		finish_dialog("Action Complete", "Add your first tuktuk")

		start("Add your first driver", "Add a driver")
		page.wait_for_selector('.frappe-control[data-fieldname="driver_first_name"] input')
		fill("driver_first_name", "Onboarding")
		fill("driver_last_name", "Driver")
		fill("mpesa_number", "0712345678")
		shot("04-driver.png")
		save()
		finish_dialog("Action Complete", "Add your first driver")

		# 4. and 5. Go to Page: complete on the click; the page's dialog says what to do there.
		for title, button, where in (
			("Register the C2B URLs", "Open TukTuk Settings", "/app/tuktuk-settings"),
			("Make a test payment", "Open the callback inbox", "/app/tuktuk-callback"),
		):
			start(title, button)
			page.wait_for_url(re.compile(re.escape(where)))
			dialog = page.locator(".modal.show .modal-dialog").last
			dialog.wait_for()
			assert title in dialog.inner_text()
			shot(f"05-{where.rsplit('/', 1)[-1]}.png")
			dialog.locator(".btn-modal-close").click()
			open_workspace(steps_shown=where.endswith("settings"))
		shot("06-done.png")
	finally:
		REPORT.append(f"Onboarding screenshots: {shots}")
		context.close()

	states = {step: admin.get("Onboarding Step", step) for step in STEPS}
	assert {s: bool(d and d["is_complete"]) for s, d in states.items()} == dict.fromkeys(STEPS, True)
	assert admin.get("Module Onboarding", "TukTuk Management")["is_complete"] == 1
	if watch.problems:
		pytest.fail("Onboarding in Desk:\n" + "\n".join(watch.problems), pytrace=False)


def test_health_console_exit_code_on_the_bench(facts):
	"""`bench --site S execute tuktuk_management.health.health` prints the report and exits 1 on a FAIL (the
	scheduler disabled), 0 without one."""
	bench = [facts["bench_cmd"], "--site", facts["site"]]
	run = lambda *a: subprocess.run([*bench, *a], capture_output=True, text=True, timeout=300)  # noqa: E731
	run("disable-scheduler")
	try:
		failed = run("execute", "tuktuk_management.health.health")
	finally:
		run("enable-scheduler")
	assert failed.returncode == 1, failed.stdout + failed.stderr
	assert "FAIL  scheduler" in failed.stdout and "overall: FAIL" in failed.stdout
	REPORT.append(
		"health (scheduler disabled): exit %d, %s"
		% (failed.returncode, failed.stdout.strip().splitlines()[-1])
	)
	ok = run("execute", "tuktuk_management.health.health")
	assert "OK    scheduler" in ok.stdout or "dormant" in ok.stdout, ok.stdout + ok.stderr
	if "FAIL" not in ok.stdout:
		assert ok.returncode == 0
	REPORT.append(
		"health (scheduler enabled): exit %d, %s" % (ok.returncode, ok.stdout.strip().splitlines()[-1])
	)
