"""The daily check of the ledger against M-Pesa's own record of the paybill's payments.

Callbacks are what M-Pesa tells us; its Pull Transactions API is what it says it received: every C2B payment
to the paybill in the last 48 hours, whether its confirmation reached us or not. Once a day
(``daily_check``, scheduler, when TukTuk Settings ``daily_mpesa_record_check`` is on) the last day's window is
pulled, page by page, and compared with the ledger (TukTuk Transaction rows of payments):

- a payment on M-Pesa's record with no ledger row: its confirmation never arrived, or waits in the inbox
  (Uncaptured, Failed, Refused): a manager enters it (Add Missed Transaction) or settles the inbox row;
- a ledger row of that window M-Pesa has no record of: credited on a confirmation M-Pesa does not know (a
  forged callback from someone holding the secret, or a hand entry with a wrong receipt number);
- the same receipt with another amount.

Differences go to one Error Log (``DIFFERS_TITLE``) and make the health check's "mpesa record" item FAIL for a
day; a check that could not run logs ``FAILED_TITLE``. Nothing is changed: the check only reports.

Daraja's shapes (its documentation): register ``{ShortCode, RequestType: "Pull", NominatedNumber,
CallBackURL}`` once per paybill; query ``{ShortCode, StartDate, EndDate, OffSetValue}`` with dates as
``YYYY-MM-DD HH:MM:SS``, answered ``{ResponseCode: "1000", Response: [[{transactionId, trxDate, msisdn, sender,
transactiontype, billreference, amount, organizationname}]]}``, ``"1001"`` with ``[[]]`` when no row is left.
"""

import datetime

import frappe
from frappe import _
from frappe.utils import add_to_date, now_datetime

from tuktuk_management.money import to_money
from tuktuk_management.payouts import daraja
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings

REGISTER_PATH = "/pulltransactions/v1/register"
QUERY_PATH = "/pulltransactions/v1/query"
WINDOW_HOURS = 24
# M-Pesa lists a payment a little after it happens: the window ends this long before the check runs.
LAG_MINUTES = 15
MAX_PAGES = 200
DIFFERS_TITLE = "M-Pesa Record Differs From Ledger"
FAILED_TITLE = "M-Pesa Record Check Failed"
LEDGER = "TukTuk Transaction"
CALLBACK = "TukTuk Callback"
PAYMENT_TYPES = ("Payment", "Deposit")
DATE_FORMAT = "%Y-%m-%d %H:%M:%S"


def register(settings=None) -> dict:
	"""Register the paybill for Pull Transactions (once per paybill; again is harmless: "1001")."""
	settings = settings or get_settings()
	config = daraja.get_config(settings)
	number = str(settings.get("mpesa_pull_nominated_number") or "").strip()
	if not (config.paybill and number):
		frappe.throw(
			_("Set the paybill and the Pull Transactions nominated number in TukTuk Settings"),
			title=_("M-Pesa not configured"),
		)
	body = {
		"ShortCode": config.paybill,
		"RequestType": "Pull",
		"NominatedNumber": number,
		"CallBackURL": daraja.callback_url("pull_notification", config, module="paybill_record"),
	}
	reply = daraja.post(REGISTER_PATH, body, config)
	status = str(reply.get("Response Status") or reply.get("ResponseStatus") or "")
	return {"registered": status in ("1000", "1001"), "reply": reply}


def pull(start: datetime.datetime, end: datetime.datetime, settings=None) -> list[dict]:
	"""Every payment M-Pesa lists for the paybill between ``start`` and ``end`` (site time), all pages."""
	config = daraja.get_config(settings)
	rows, offset = [], 0
	for _page in range(MAX_PAGES):
		reply = daraja.post(
			QUERY_PATH,
			{
				"ShortCode": config.paybill,
				"StartDate": start.strftime(DATE_FORMAT),
				"EndDate": end.strftime(DATE_FORMAT),
				"OffSetValue": str(offset),
			},
			config,
		)
		code = str(reply.get("ResponseCode") or "")
		if code == "1001":
			return rows
		if code != "1000":
			raise daraja.DarajaError(f"Pull Transactions answered {code}: {reply.get('ResponseMessage')}")
		page = [row for group in reply.get("Response") or [] for row in (group or [])]
		if not page:
			return rows
		rows.extend(page)
		offset += len(page)
	raise daraja.DarajaError(f"Pull Transactions listed more than {MAX_PAGES} pages")


def compare(pulled: list[dict], start, end) -> dict:
	"""The differences between M-Pesa's rows and the ledger (see the module docstring)."""
	mpesa = {}
	for row in pulled:
		receipt = str(row.get("transactionId") or "").strip()
		if receipt:
			mpesa[receipt] = row
	ledger = {}
	if mpesa:
		for row in frappe.get_all(
			LEDGER,
			filters={"transaction_id": ("in", list(mpesa))},
			fields=["name", "transaction_id", "amount"],
		):
			ledger[row.transaction_id] = row
	in_window = frappe.get_all(
		LEDGER,
		filters={
			"transaction_type": ("in", PAYMENT_TYPES),
			"timestamp": ("between", (start, end)),
		},
		fields=["name", "transaction_id", "amount", "driver"],
	)
	missing = []
	for receipt, row in mpesa.items():
		if receipt not in ledger:
			missing.append(
				{"receipt": receipt, "amount": str(row.get("amount")), "inbox": _inbox_state(receipt)}
			)
	unknown = [
		{"receipt": row.transaction_id, "ledger": row.name, "amount": str(to_money(row.amount))}
		for row in in_window
		if row.transaction_id not in mpesa
	]
	differs = []
	for receipt, row in mpesa.items():
		if receipt in ledger:
			try:
				same = to_money(row.get("amount")) == to_money(ledger[receipt].amount)
			except Exception:
				same = False
			if not same:
				differs.append(
					{
						"receipt": receipt,
						"mpesa": str(row.get("amount")),
						"ledger": str(to_money(ledger[receipt].amount)),
					}
				)
	return {
		"mpesa": len(mpesa),
		"missing_from_ledger": missing,
		"not_on_mpesa_record": unknown,
		"amount_differs": differs,
	}


def daily_check(now=None) -> dict:
	"""Scheduler: pull the last day's window and compare it with the ledger; report differences."""
	settings = get_settings()
	if not settings.mpesa_record_check:
		return {"skipped": "off in TukTuk Settings"}
	end = add_to_date(now or now_datetime(), minutes=-LAG_MINUTES)
	start = add_to_date(end, hours=-WINDOW_HOURS)
	try:
		pulled = pull(start, end, settings)
		result = compare(pulled, start, end)
	except Exception as exc:
		frappe.db.rollback()
		frappe.log_error(
			title=FAILED_TITLE,
			message=f"Window {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M}: {type(exc).__name__}: {exc}\n"
			f"{frappe.get_traceback()}",
		)
		frappe.db.commit()  # Boundary: the failed check is on record.
		return {"failed": str(exc)}
	found = sum(len(result[k]) for k in ("missing_from_ledger", "not_on_mpesa_record", "amount_differs"))
	if found:
		frappe.log_error(title=DIFFERS_TITLE, message=_report(result, start, end))
		frappe.db.commit()  # Boundary: the differences are on record.
	return {**result, "differences": found, "start": str(start), "end": str(end)}


def _inbox_state(receipt: str) -> str:
	rows = frappe.get_all(
		CALLBACK,
		filters={"trans_id": receipt, "callback_type": ("in", ("C2B Confirmation", "Manual Entry"))},
		fields=["name", "status"],
		order_by="creation asc",
	)
	if not rows:
		return "no confirmation arrived: enter it with Add Missed Transaction"
	return ", ".join(f"{r.name} {r.status}" for r in rows)


def _report(result: dict, start, end) -> str:
	lines = [
		f"M-Pesa's record of paybill payments from {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} "
		f"({result['mpesa']} payment(s)) against the ledger:"
	]
	for row in result["missing_from_ledger"]:
		lines.append(f"- on M-Pesa, not in the ledger: {row['receipt']} KES {row['amount']} ({row['inbox']})")
	for row in result["not_on_mpesa_record"]:
		lines.append(
			f"- in the ledger, not on M-Pesa's record: {row['receipt']} KES {row['amount']} ({row['ledger']}):"
			" was it credited on a confirmation M-Pesa never sent?"
		)
	for row in result["amount_differs"]:
		lines.append(f"- {row['receipt']}: M-Pesa says KES {row['mpesa']}, the ledger KES {row['ledger']}")
	return "\n".join(lines)


def last_findings(now, since_hours: int = 26) -> tuple[int, int]:
	"""(differences logged, failed checks) in the last ``since_hours`` (for the health check)."""
	since = add_to_date(now, hours=-since_hours)
	return (
		frappe.db.count("Error Log", {"method": DIFFERS_TITLE, "creation": (">", since)}),
		frappe.db.count("Error Log", {"method": FAILED_TITLE, "creation": (">", since)}),
	)
