"""Each protection of issue 14 (items 1, 2, 5) taken out once, and the tests that must catch it run: proof
that no test of ours passes without its protection. Not collected by pytest; run it by hand on a clean
checkout (it edits a source file, runs the tests, writes the file back; it refuses to touch a file with
uncommitted changes):

	.venv/bin/python tests/security/take_out_protections.py [LABEL ...]

App test cases run with ``frappe-lite run-tests`` on a scratch SQLite site it makes under a temporary
directory; HTTP tests with pytest (SQLite and MariaDB). One line per protection: CAUGHT or NOT CAUGHT."""

import json
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
BIN = REPO / ".venv" / "bin"
DOCTYPE = "tuktuk_management/tuktuk_management/doctype/"
MONEY_RECORDS = (
	"tuktuk_transaction",
	"tuktuk_payout",
	"tuktuk_callback",
	"tuktuk_balance_reconciliation",
	"tuktuk_daily_close",
)


def module(name, test=None):
	return ["--module", f"tuktuk_management.tests.{name}"] + (["--test", test] if test else [])


def money(test):
	return module("test_money_records", test)


# (label, file, [(text, replacement), ...], app test arguments or "pytest:<args>")
CASES = [
	(
		"DocType permissions read-only",
		"PERMISSIONS",
		None,
		money("test_no_role_may_create_change_or_delete_them"),
	),
	(
		"insert only by the owning module",
		"tuktuk_management/records.py",
		[
			(
				'\tif not doc.flags.get(WRITTEN_BY_APP):\n\t\tfrappe.throw(\n\t\t\t_("{0} records are created',
				'\tif False:\n\t\tfrappe.throw(\n\t\t\t_("{0} records are created',
			)
		],
		money("test_an_insert_the_owner_did_not_make_is_refused_even_for_administrator"),
	),
	(
		"no save by hand",
		"tuktuk_management/records.py",
		[
			(
				'\tif not doc.flags.get(WRITTEN_BY_APP):\n\t\tfrappe.throw(\n\t\t\t_("{0} {1} is changed',
				'\tif False:\n\t\tfrappe.throw(\n\t\t\t_("{0} {1} is changed',
			)
		],
		money("test_a_save_by_hand_is_refused_even_for_administrator"),
	),
	(
		"no delete",
		"tuktuk_management/records.py",
		[("def refuse_delete(doc) -> None:\n", "def refuse_delete(doc) -> None:\n\treturn\n")],
		money("test_nothing_is_ever_deleted_even_by_administrator"),
	),
	(
		"controller guards over REST (Administrator)",
		"tuktuk_management/records.py",
		[
			(
				'\tif not doc.flags.get(WRITTEN_BY_APP):\n\t\tfrappe.throw(\n\t\t\t_("{0} records are created',
				'\tif False:\n\t\tfrappe.throw(\n\t\t\t_("{0} records are created',
			),
			(
				'\tif not doc.flags.get(WRITTEN_BY_APP):\n\t\tfrappe.throw(\n\t\t\t_("{0} {1} is changed',
				'\tif False:\n\t\tfrappe.throw(\n\t\t\t_("{0} {1} is changed',
			),
			("def refuse_delete(doc) -> None:\n", "def refuse_delete(doc) -> None:\n\treturn\n"),
		],
		"pytest:tests/security/test_money_records_http.py -k created or changed or deleted",
	),
	(
		"payout fields fixed at creation",
		DOCTYPE + "tuktuk_payout/tuktuk_payout.py",
		[("records.guard_save(self, FIXED_FIELDS)", "records.guard_save(self)")],
		money("test_a_payouts_amount_phone_driver_and_ledger_row_never_change"),
	),
	(
		"retry never on Paid",
		"tuktuk_management/payouts/outbox.py",
		[
			(
				'\tif doc.status == "Paid":\n\t\tfrappe.throw(_("Payout {0} is already paid")',
				'\tif False:\n\t\tfrappe.throw(_("Payout {0} is already paid")',
			),
			("\tif doc.status not in RETRYABLE:", "\tif False:"),
		],
		money("test_retry_never_acts_on_a_paid_payout"),
	),
	(
		"retry only where the outbox allows",
		"tuktuk_management/payouts/outbox.py",
		[("\tif doc.status not in RETRYABLE:", "\tif False:")],
		money("test_retry_does_not_release_a_held_payout"),
	),
	(
		"retry only a payout its ledger row backs",
		"tuktuk_management/payouts/outbox.py",
		[("\tif problem := not_backed_by_ledger(doc):\n\t\tfrappe.throw", "\tif False:\n\t\tfrappe.throw")],
		money("test_a_payout_its_ledger_row_does_not_back_is_never_sent"),
	),
	(
		"send only a payout its ledger row backs",
		"tuktuk_management/payouts/outbox.py",
		[("\t\telif problem := not_backed_by_ledger(doc):", "\t\telif problem := None:")],
		money("test_a_payout_with_no_ledger_row_is_never_sent"),
	),
	(
		"adjustment never below zero",
		"tuktuk_management/ledger.py",
		[("\tif to_money(locked.current_balance) + amount < 0:", "\tif False:")],
		money("test_a_bad_adjustment_is_refused_and_changes_nothing"),
	),
	(
		"a replay losing the race keeps its row Processed",
		"tuktuk_management/crediting.py",
		[("if payment.callback and row.callback != payment.callback:", "if payment.callback:")],
		money("test_a_replay_that_loses_the_race_leaves_its_crediting_row_processed"),
	),
	(
		"concurrent replays over HTTP",
		"tuktuk_management/crediting.py",
		[("if payment.callback and row.callback != payment.callback:", "if payment.callback:")],
		"pytest:tests/security/test_money_records_http.py -k concurrent_replays",
	),
	(
		"fix_driver_balance POST only",
		"tuktuk_management/api/reconciliation.py",
		[
			(
				'@frappe.whitelist(methods=["POST"])\ndef fix_driver_balance(',
				"@frappe.whitelist()\ndef fix_driver_balance(",
			)
		],
		"pytest:tests/security/test_money_records_http.py -k refuse_get",
	),
	(
		"reconcile_all_drivers_balances POST only",
		"tuktuk_management/api/reconciliation.py",
		[
			(
				'@frappe.whitelist(methods=["POST"])\ndef reconcile_all_drivers_balances(',
				"@frappe.whitelist()\ndef reconcile_all_drivers_balances(",
			)
		],
		"pytest:tests/security/test_money_records_http.py -k refuse_get",
	),
	(
		"retry_payout checks its argument",
		"tuktuk_management/api/payouts.py",
		[("def retry_payout(payout=None):", "def retry_payout(payout):")],
		"pytest:tests/security/test_method_arguments_http.py -k retry_payout",
	),
	(
		"payload text: length, control characters, markup",
		"tuktuk_management/c2b.py",
		[("if text is not None and (len(text) > MAX_TEXT or _CONTROL.search(text)):", "if False:")],
		module("test_c2b", "test_malformed_payloads_rejected_kept_and_not_credited"),
	),
	(
		"payload text, hypothesis",
		"tuktuk_management/c2b.py",
		[("if text is not None and (len(text) > MAX_TEXT or _CONTROL.search(text)):", "if False:")],
		"pytest:tests/security/test_c2b_payload_properties.py",
	),
	(
		"amounts as plain digits",
		"tuktuk_management/money.py",
		[("\tif not _PLAIN_NUMBER.fullmatch(text):", "\tif False:")],
		module("test_c2b", "test_malformed_payloads_rejected_kept_and_not_credited"),
	),
	(
		"TransTime plausible",
		"tuktuk_management/c2b.py",
		[
			(
				"\t\t\tif not EARLIEST_TRANS_TIME <= trans_time <= now_datetime() + TRANS_TIME_LEEWAY:",
				"\t\t\tif False:",
			)
		],
		module("test_c2b", "test_malformed_payloads_rejected_kept_and_not_credited"),
	),
	(
		"inbox columns stored inertly",
		"tuktuk_management/inbox.py",
		[('\t\tvalue = value.replace("<", "&lt;").replace(">", "&gt;")\n', "")],
		module("test_c2b", "test_malformed_payloads_rejected_kept_and_not_credited"),
	),
	(
		"a queue that is down fails no committed work",
		"tuktuk_management/enqueue.py",
		[
			(
				"\texcept Exception:\n\t\t# Written in the transaction",
				"\texcept ZeroDivisionError:\n\t\t# Written in the transaction",
			)
		],
		module(
			"test_crediting", "test_a_queue_that_is_down_leaves_the_credit_processed_and_the_payout_queued"
		),
	),
	(
		"reconcile-all reports a failed fix",
		"tuktuk_management/reconciliation.py",
		[
			(
				"\t\t\t\t\texcept Exception as e:\n\t\t\t\t\t\tfrappe.db.rollback()",
				"\t\t\t\t\texcept ZeroDivisionError as e:\n\t\t\t\t\t\tfrappe.db.rollback()",
			)
		],
		module("test_reconciliation", "test_a_fix_that_fails_is_reported_and_the_others_are_kept"),
	),
	(
		"a closed date without a close never matches",
		"tuktuk_management/reconciliation.py",
		[("\tif balance is None:\n", "\tif False:\n")],
		module("test_reconciliation", "test_a_closed_date_without_a_daily_close_never_answers_matches"),
	),
	(
		"changes tracked",
		DOCTYPE + "tuktuk_vehicle/tuktuk_vehicle.json",
		[('"track_changes": 1', '"track_changes": 0')],
		money("test_changes_to_drivers_vehicles_settings_and_payouts_are_tracked"),
	),
	(
		"frappe_lite refuses deleting a linked document",
		"frappe_lite/frappe/model/delete_doc.py",
		[
			(
				'def check_if_doc_is_linked(doc, method="Delete"):\n',
				'def check_if_doc_is_linked(doc, method="Delete"):\n\treturn\n',
			)
		],
		money("test_a_driver_with_money_records_cannot_be_deleted"),
	),
]


def take_out(path: str, changes) -> dict[Path, str]:
	"""Edit the protection out; returns the original text of each file touched."""
	if path == "PERMISSIONS":
		files = [REPO / DOCTYPE / d / f"{d}.json" for d in MONEY_RECORDS]
	else:
		files = [REPO / path]
	dirty = subprocess.run(["git", "diff", "--quiet", "--", *map(str, files)], cwd=REPO).returncode
	if dirty:
		sys.exit(f"uncommitted changes in {[str(f) for f in files]}: commit them first")
	originals = {f: f.read_text() for f in files}
	for f, text in originals.items():
		if path == "PERMISSIONS":
			doc = json.loads(text)
			for perm in doc["permissions"]:
				perm.update(create=1, write=1, delete=1)
			f.write_text(json.dumps(doc, indent=1))
			continue
		for old, new in changes:
			assert old in text, f"{f}: the protection is no longer written as {old!r}"
			text = text.replace(old, new, 1)
		f.write_text(text)
	return originals


def run(check, site_args) -> tuple[bool, str]:
	if isinstance(check, str):
		args = check[len("pytest:") :].split(" -k ")
		cmd = [str(BIN / "pytest"), args[0], "-q", "-x", "-p", "no:cacheprovider"] + (
			["-k", args[1]] if len(args) > 1 else []
		)
	else:
		cmd = [str(BIN / "frappe-lite"), *site_args, "run-tests", *check]
	result = subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=1800)
	lines = [line for line in (result.stdout + result.stderr).splitlines() if line.strip()]
	return result.returncode != 0, lines[-1] if lines else ""


def main(only):
	with tempfile.TemporaryDirectory() as sites:
		subprocess.run(
			[
				str(BIN / "frappe-lite"),
				"--sites-path",
				sites,
				"new-site",
				"protections.local",
				"--install-app",
				"tuktuk_management",
			],
			cwd=REPO,
			check=True,
			capture_output=True,
		)
		site_args = ["--sites-path", sites, "--site", "protections.local"]
		missed = 0
		for label, path, changes, check in CASES:
			if only and label not in only:
				continue
			originals = take_out(path, changes)
			try:
				caught, last = run(check, site_args)
			finally:
				for f, text in originals.items():
					f.write_text(text)
			missed += not caught
			print(f"{label:50s} {'CAUGHT' if caught else 'NOT CAUGHT'}  ({last[:100]})", flush=True)
	return 1 if missed else 0


if __name__ == "__main__":
	sys.exit(main(set(sys.argv[1:])))
