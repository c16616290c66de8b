"""Every whitelisted method the managers call refuses bad arguments with a clear message and a 4xx status
(Frappe's: 417 ValidationError, 404 DoesNotExistError, 403 PermissionError), never a 500, and changes
nothing: arguments missing, of the wrong type, unknown names, hostile text, wrong amounts and dates."""

import pytest

from tests.helpers.target import C2B_SETTINGS

API = "tuktuk_management.api.tuktuk"
HOSTILE = "<img src=x onerror=alert(1)>\x00" + "x" * 300

# method -> argument sets that must each be refused (POST, as the manager)
BAD_ARGUMENTS = {
	f"{API}.reconcile_driver_balance": [{}, {"driver_name": "DRV-NOPE"}, {"driver_name": HOSTILE}],
	f"{API}.fix_driver_balance": [{}, {"driver_name": "DRV-NOPE", "auto_fix": "1"}, {"driver_name": ["x"]}],
	f"{API}.reconcile_all_drivers_balances": [{"date": "not-a-date"}, {"date": "2026-02-30"}],
	f"{API}.download_driver_statement": [{}, {"driver": "DRV-NOPE"}, {"driver": HOSTILE, "from_date": "x"}],
	f"{API}.process_uncaptured_payment": [
		{},
		{"driver": "DRV-NOPE", "tuktuk": "", "transaction_id": "X1", "customer_phone": "", "amount": "1"},
		{"driver": "DRV-NOPE", "tuktuk": "", "transaction_id": HOSTILE, "customer_phone": "", "amount": "1"},
		{"driver": "x", "tuktuk": "", "transaction_id": "X1", "customer_phone": "", "amount": "1e2"},
		{
			"driver": "x",
			"tuktuk": "",
			"transaction_id": "X1",
			"customer_phone": "",
			"amount": "1",
			"action_type": "steal",
		},
	],
	f"{API}.add_missed_transaction": [
		{},
		{"transaction_id": "X1"},
		{"transaction_id": "X1", "amount": "-5", "account": "A"},
		{"transaction_id": HOSTILE, "amount": "5", "account": "A"},
		{"transaction_id": "X1", "amount": "5", "tuktuk": "TT-NOPE"},
		{"transaction_id": "X1", "amount": "5", "account": "A", "trans_time": "yesterday-ish"},
	],
	f"{API}.replay_callback": [{}, {"callback": "nope"}, {"callback": HOSTILE}],
	f"{API}.retry_payout": [{}, {"payout": "nope"}, {"payout": HOSTILE}],
	f"{API}.release_held_payouts": [
		{"payouts": "[not json"},
		{"payouts": '{"a": 1}'},
		{"driver": "DRV-NOPE"},
	],
	f"{API}.add_adjustment": [
		{},
		{"driver": "DRV-NOPE", "amount": "5", "reason": "r"},
		{"driver": HOSTILE, "amount": "5", "reason": "r"},
	],
	"tuktuk_management.api.upgrade.replay_refused_callback": [{}, {"callback": "nope"}],
}
CASES = [(method, args) for method, sets in BAD_ARGUMENTS.items() for args in sets]


@pytest.fixture(scope="module")
def settled(target):
	with target.settings_changed(**C2B_SETTINGS):
		yield target


@pytest.mark.parametrize(
	"method,args", CASES, ids=[f"{m.rsplit('.', 1)[1]}-{i}" for i, (m, _a) in enumerate(CASES)]
)
def test_bad_arguments_are_refused_clearly(settled, method, args):
	target = settled
	before = (
		target.count("TukTuk Transaction"),
		target.count("TukTuk Payout"),
		target.count("TukTuk Callback"),
	)
	response = target.method(method, **args)
	assert response.status_code in (403, 404, 409, 417), (response.status_code, response.text[:800])
	body = response.json()
	# The message: _server_messages (frappe.throw), or the exception line for Frappe's own argument type check
	assert body.get("exc_type") and (body.get("_server_messages") or body.get("exception")), body
	assert "Traceback" not in body.get("_server_messages", ""), body
	after = (
		target.count("TukTuk Transaction"),
		target.count("TukTuk Payout"),
		target.count("TukTuk Callback"),
	)
	# A refused manual entry may leave its Rejected inbox row (kept with its reason), nothing else.
	assert after[:2] == before[:2] and after[2] - before[2] in (0, 1), (before, after)
