"""The rollout helpers run as console commands (exit code, readable summary, the baseline carried from the
pre- to the post-deployment check) and the module onboarding's JSON: well-formed for Frappe v15's Module
Onboarding / Onboarding Step, every step it names shipped, every DocType a step opens part of the app, and a
frappe_lite site installs and migrates with it present."""

import json
from pathlib import Path

APP = Path(__file__).resolve().parents[2] / "tuktuk_management" / "tuktuk_management"

# Frappe v15's fields of the two DocTypes (frappe/desk/doctype/{onboarding_step,module_onboarding}/*.json)
STEP_FIELDS = {
	"is_complete",
	"title",
	"action",
	"reference_document",
	"reference_report",
	"video_url",
	"report_type",
	"is_skipped",
	"field",
	"value_to_validate",
	"report_description",
	"report_reference_doctype",
	"is_single",
	"path",
	"callback_title",
	"callback_message",
	"validate_action",
	"show_full_form",
	"description",
	"intro_video_url",
	"action_label",
	"show_form_tour",
	"form_tour",
}
ONBOARDING_FIELDS = {
	"title",
	"subtitle",
	"module",
	"success_message",
	"documentation_url",
	"is_complete",
	"steps",
	"allow_roles",
}
STANDARD = {"name", "doctype", "creation", "modified", "modified_by", "owner", "docstatus", "idx"}
ACTIONS = {"Create Entry", "Update Settings", "Show Form Tour", "View Report", "Go to Page", "Watch Video"}


def load(kind):
	return {p.parent.name: json.loads(p.read_text()) for p in sorted((APP / kind).glob("*/*.json"))}


def test_onboarding_json_is_what_v15_syncs():
	steps = load("onboarding_step")
	onboardings = load("module_onboarding")
	assert list(onboardings) == ["tuktuk_management"]
	onboarding = onboardings["tuktuk_management"]
	assert onboarding["doctype"] == "Module Onboarding" and onboarding["module"] == "TukTuk Management"
	assert set(onboarding) <= ONBOARDING_FIELDS | STANDARD
	for field in ("title", "subtitle", "success_message", "documentation_url"):
		assert onboarding[field], field  # reqd in v15
	assert {r["role"] for r in onboarding["allow_roles"]} == {"TukTuk Manager", "System Manager"}

	by_name = {s["name"]: (folder, s) for folder, s in steps.items()}
	named = [row["step"] for row in onboarding["steps"]]
	assert named == [
		"TukTuk Connect M-Pesa",
		"TukTuk First Vehicle",
		"TukTuk First Driver",
		"TukTuk Register C2B URLs",
		"TukTuk Test Payment",
	]
	assert set(named) == set(by_name)
	doctypes = {p.parent.name for p in (APP / "doctype").glob("*/*.json")}
	for name in named:
		folder, step = by_name[name]
		assert folder == name.lower().replace(" ", "_").replace("-", "_"), folder  # frappe.scrub(name)
		assert step["doctype"] == "Onboarding Step" and set(step) <= STEP_FIELDS | STANDARD, name
		assert step["action"] in ACTIONS and step["title"] and step["description"]
		assert not step["is_complete"] and not step["is_skipped"]
		if step["action"] in ("Create Entry", "Update Settings"):
			assert step["reference_document"].lower().replace(" ", "_") in doctypes
		if step["action"] == "Update Settings":
			assert step["is_single"] == 1 and step["validate_action"] == 1 and step["field"]
		if step["action"] == "Go to Page":
			assert step["path"].startswith("/app/") and step["callback_message"]


def test_frappe_lite_installs_and_migrates_with_the_onboarding_present(live_site):
	done = live_site.cli("migrate")
	assert done.returncode == 0


def test_pre_and_post_deployment_checks(site, live_site):
	from tuktuk_management.tests.utils import make_driver, make_payment

	driver = make_driver()
	make_payment(driver, 300)
	site.db.sql(
		"update `tabTukTuk Driver` set current_balance = current_balance + 5 where name=%s", (driver.name,)
	)
	site.db.commit()

	pre = live_site.cli("execute", "tuktuk_management.rollout.pre_deployment_check", check=False)
	assert pre.returncode == 1, pre.stdout + pre.stderr  # no backup yet
	assert "FAIL  backup" in pre.stdout and "backup --with-files" in pre.stdout
	assert "Pre-deployment discrepancies: 1" in pre.stdout
	assert f"{driver.name}: balance" in pre.stdout and "discrepancy 5.00" in pre.stdout
	assert "TukTuk health of" in pre.stdout
	# report only: the balance is untouched
	assert (
		site.db.sql("select current_balance from `tabTukTuk Driver` where name=%s", (driver.name,))[0][0]
		== 155
	)

	live_site.cli("backup")
	pre = live_site.cli("execute", "tuktuk_management.rollout.pre_deployment_check", check=False)
	assert pre.returncode == 0, pre.stdout + pre.stderr
	assert "OK    backup" in pre.stdout and "WARN  reconciliation  baseline: 1 driver(s)" in pre.stdout

	post = live_site.cli("execute", "tuktuk_management.rollout.post_deployment_check", check=False)
	assert post.returncode == 0, post.stdout + post.stderr
	assert "ALL CHECKS PASSED" in post.stdout and "OK    self-check" in post.stdout
	assert "1 with discrepancies, baseline 1" in post.stdout

	# a new discrepancy after the deployment fails the post-check
	other = make_driver()
	make_payment(other, 100)
	site.db.sql("update `tabTukTuk Driver` set current_balance = 0 where name=%s", (other.name,))
	site.db.commit()
	post = live_site.cli("execute", "tuktuk_management.rollout.post_deployment_check", check=False)
	assert post.returncode == 1
	assert "FAIL  reconciliation  2 with discrepancies, baseline 1" in post.stdout


def test_the_health_number_card_calls_the_health_method():
	"""The Desk indicator: a standard Custom Number Card (synced by v15's sync_dashboards from the module's
	number_card folder) whose method is the managers' health_card (the count of FAIL items). Every card of the
	module is such a card, with a method that exists and a document_type managers can read (v15's
	number_card.has_permission hides a Custom card without one from all but System Managers)."""
	import importlib

	cards = {}
	for path in (APP / "number_card").glob("*/*.json"):
		card = json.loads(path.read_text())
		assert card["doctype"] == "Number Card" and card["type"] == "Custom" and card["is_standard"] == 1
		assert path.parent.name == card["name"].lower().replace(" ", "_")
		assert card["document_type"].startswith("TukTuk "), card["name"]
		module, _, name = card["method"].rpartition(".")
		assert callable(getattr(importlib.import_module(module), name))
		cards[card["name"]] = card
	assert cards["TukTuk Health Failures"]["method"] == "tuktuk_management.api.health.health_card"
