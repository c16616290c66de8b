"""Property-based tests (hypothesis) over the Daraja C2B confirmation payload space, in-process on a site per
backend (SQLite and MariaDB): for any body, well-formed or hostile,

- no unexpected error: the confirmation answers with a status, or refuses a foreign shortcode (403); a
  payload that parses is never left Failed (acknowledged but stuck);
- no credit for a refused payload: whatever ``parse_c2b_payload`` refuses is Rejected, and the ledger does
  not change;
- never two credits for one TransID (TransIDs are drawn from a small pool, so they repeat across examples
  with other amounts and accounts), and a credit is exactly the amount the payload said;
- the driver's balance equals its ledger after every example.
"""

import datetime
import json
from decimal import Decimal

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

PAYBILL = "600000"
HOSTILE_TEXT = st.one_of(
	st.text(max_size=30),
	st.text(min_size=141, max_size=400),
	st.sampled_from(
		[
			"ACC\x00",
			"\x00",
			"<script>alert(1)</script>",
			"' OR '1'='1",
			"{{ frappe.db.sql('drop table x') }}",
			"\u202eRTL",
			"ＡＣＣ",
			"a" * 141,
			"254708374149\n",
		]
	),
)
AMOUNTS = st.one_of(
	st.decimals(min_value=Decimal("0.01"), max_value=Decimal("250000"), places=2).map(lambda d: f"{d:.2f}"),
	st.integers(min_value=-10, max_value=300000),
	st.floats(allow_nan=True, allow_infinity=True),
	st.sampled_from(
		["1e2", "+5", "1_000", "1,000.00", "NaN", "-Infinity", "10.001", "１００", " 50 ", "0", ""]
	),
	HOSTILE_TEXT,
	st.none(),
)


# Fixed once: a strategy that read the clock would draw differently on each replay.
NOW = datetime.datetime.now().replace(microsecond=0)


def trans_times():
	now = NOW
	return st.one_of(
		st.datetimes(min_value=now - datetime.timedelta(days=30), max_value=now).map(
			lambda d: d.strftime("%Y%m%d%H%M%S")
		),
		st.datetimes(min_value=datetime.datetime(1990, 1, 1), max_value=datetime.datetime(2100, 1, 1)).map(
			lambda d: d.strftime("%Y%m%d%H%M%S")
		),
		st.from_regex(r"\A[0-9]{14}\Z"),
		HOSTILE_TEXT,
		st.integers(),
		st.none(),
	)


@pytest.fixture(scope="module")
def c2b_site(module_site_factory):
	"""A site with callbacks accepted for paybill 600000, payouts held, and one driver on account ACC1."""
	site = module_site_factory()
	with site.connect() as frappe:
		from tuktuk_management.tests.utils import CALLBACK_SETTINGS, apply_settings, make_driver

		apply_settings(CALLBACK_SETTINGS)
		driver = make_driver(fare_percentage=50)
		account = frappe.db.get_value("TukTuk Vehicle", driver.assigned_tuktuk, "mpesa_account")
		frappe.db.commit()
		yield frappe, driver.name, account


def payloads(account):
	"""A well-formed confirmation for the driver's account (or an unknown one), with 0 to 3 of its fields
	replaced by hostile values and sometimes extra fields: most examples are payments, many are not."""
	hostile = {
		"TransID": st.one_of(HOSTILE_TEXT, st.integers(), st.none()),
		"TransTime": trans_times(),
		"TransAmount": AMOUNTS,
		"BusinessShortCode": st.sampled_from(["600001", "", None, " 600000 "]),
		"BillRefNumber": st.one_of(HOSTILE_TEXT, st.integers(), st.none(), st.just(account.lower())),
		"MSISDN": st.one_of(HOSTILE_TEXT, st.integers(), st.none()),
		"FirstName": HOSTILE_TEXT,
		"OrgAccountBalance": st.one_of(
			AMOUNTS, st.dictionaries(st.text(max_size=5), st.integers(), max_size=2)
		),
	}
	valid = st.fixed_dictionaries(
		{
			"TransactionType": st.sampled_from(["Pay Bill", "CustomerPayBillOnline"]),
			"TransID": st.sampled_from([f"PROP{n:03d}" for n in range(25)]),
			"TransTime": st.datetimes(min_value=NOW - datetime.timedelta(days=30), max_value=NOW).map(
				lambda d: d.strftime("%Y%m%d%H%M%S")
			),
			"TransAmount": st.decimals(min_value=Decimal("1"), max_value=Decimal("5000"), places=2).map(
				lambda d: f"{d:.2f}"
			),
			"BusinessShortCode": st.just(PAYBILL),
			"BillRefNumber": st.sampled_from([account, account, "NOSUCHACCOUNT"]),
			"MSISDN": st.from_regex(r"\A2547[0-9]{8}\Z"),
			"FirstName": st.just("John"),
		}
	)

	@st.composite
	def corrupted(draw):
		payload = draw(valid)
		for key in draw(st.lists(st.sampled_from(sorted(hostile)), max_size=3, unique=True)):
			payload[key] = draw(hostile[key], label=key)
		return payload

	return corrupted()


def ledger_count(frappe, trans_id) -> int:
	# A number sent as TransID is stored as its text (0 -> "0"), so count it the same way.
	if trans_id is None or not isinstance(trans_id, (str, int)):
		return 0
	return frappe.db.count("TukTuk Transaction", {"transaction_id": str(trans_id).strip()})


@settings(
	max_examples=250,
	deadline=None,
	database=None,
	suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
def test_any_confirmation_payload(c2b_site, data):
	frappe, driver, account = c2b_site
	from tuktuk_management import c2b
	from tuktuk_management.inbox import Received
	from tuktuk_management.money import to_money
	from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

	payload = data.draw(payloads(account), label="payload")
	body = json.dumps(payload)
	try:
		parsed = c2b.parse_c2b_payload(payload)
	except c2b.MalformedPayload:
		parsed = None
	ledger_before = frappe.db.count("TukTuk Transaction")
	known_before = ledger_count(frappe, payload.get("TransID"))

	try:
		reply = c2b.handle_confirmation(Received.parse(body), get_settings())
	except frappe.PermissionError:
		# Refused before anything is credited: only a shortcode that is not this paybill's.
		assert str(payload.get("BusinessShortCode") or "").strip() != PAYBILL, body
		assert frappe.db.count("TukTuk Transaction") == ledger_before
		return
	frappe.db.commit()

	status = reply["status"]
	event(f"status {status}")
	if parsed is None:
		assert status == "Rejected", (body, reply)
		assert frappe.db.count("TukTuk Transaction") == ledger_before, body
	else:
		assert status in ("Processed", "Duplicate", "Uncaptured"), (body, reply)
		after = ledger_count(frappe, parsed.trans_id)
		assert after == 1 if status in ("Processed", "Duplicate") else after == known_before, (body, reply)
		if status == "Processed":
			assert known_before == 0, body
			amount = frappe.db.get_value("TukTuk Transaction", {"transaction_id": parsed.trans_id}, "amount")
			assert to_money(amount) == parsed.amount, body
		if status == "Duplicate":
			assert known_before == 1, body

	doubled = frappe.db.sql(
		"select transaction_id from `tabTukTuk Transaction` group by transaction_id having count(*) > 1"
	)
	assert not doubled, doubled
	balance = to_money(frappe.db.get_value("TukTuk Driver", driver, "current_balance"))
	ledger = frappe.db.sql(
		"""select coalesce(sum(target_contribution), 0) from `tabTukTuk Transaction`
		where driver = %s and payment_status = 'Completed'""",
		driver,
	)[0][0]
	assert balance == to_money(ledger), (balance, ledger)
