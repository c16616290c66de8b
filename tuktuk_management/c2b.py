"""C2B (customer-to-business) payments from M-Pesa: parsing and validating Daraja's payloads, resolving
the driver, the validation and confirmation callbacks, and the two manual paths that reuse the same
crediting code (an uncaptured payment assigned by a manager, a missed transaction entered by hand).

A payment is one value, ``C2BPayment``, from the parsed payload to the ledger row: what M-Pesa said, and,
filled in as it travels (``routed``), the inbox row holding it and the driver it is credited to.

Driver resolution, the same everywhere: BillRefNumber -> TukTuk Vehicle by mpesa_account (exact, then
case-insensitive) -> the driver whose ``assigned_tuktuk`` it is (the assignment is stored on the driver
only): one query over two indexes (the vehicle's unique mpesa_account, the driver's assigned_tuktuk).
"""

import datetime
import re
from dataclasses import dataclass, replace
from decimal import Decimal

import frappe
from frappe import _
from frappe.utils import get_datetime, now_datetime

from tuktuk_management import inbox
from tuktuk_management.crediting import credit_payment
from tuktuk_management.inbox import Received
from tuktuk_management.ledger import DEPOSIT, SPLIT
from tuktuk_management.money import parse_amount, to_money
from tuktuk_management.phone import InvalidMSISDN, is_masked_msisdn, normalise_msisdn
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings
from tuktuk_management.upgrade import original_callbacks, verification

# M-Pesa's ceiling for one customer payment (KES); anything above is not a real C2B payment.
MAX_AMOUNT = Decimal("250000")
TRANS_TIME_FORMAT = "%Y%m%d%H%M%S"
_TRANS_ID = re.compile(r"^[A-Za-z0-9]{1,40}$")
# What a payload carries into the inbox and the ledger is checked before anything is stored, the same way on
# both backends: text fits its Data column (140 characters) and holds no control character (a NUL byte is
# kept by SQLite but not seen by MariaDB's comparisons, so one payment would resolve differently on each).
MAX_TEXT = 140
# ...nor markup: no account number, phone or shortcode holds "<" or ">", and the ledger keeps what it is given.
_CONTROL = re.compile(r"[\x00-\x1f\x7f<>]")
# A TransTime before M-Pesa existed, or more than a day ahead of our clock (Nairobi time vs the site's), is
# not a payment time.
EARLIEST_TRANS_TIME = datetime.datetime(2007, 3, 6)
TRANS_TIME_LEEWAY = datetime.timedelta(days=1)

# Daraja's validation result codes.
ACCEPTED = ("0", "Accepted")
INVALID_MSISDN = ("C2B00011", "Invalid MSISDN")
INVALID_ACCOUNT = ("C2B00012", "Invalid Account Number")
INVALID_AMOUNT = ("C2B00013", "Invalid Amount")
OTHER_ERROR = ("C2B00016", "Other Error")

SEND_SHARE, DEPOSIT_SHARE = "send_share", "deposit_share"


class MalformedPayload(frappe.ValidationError):
	"""A C2B payload that cannot be a real payment; the message says which field is wrong."""


class NotReplayable(frappe.ValidationError):
	"""A replay asked of an inbox row that is not a pending C2B confirmation (settled already, or another type)."""


@dataclass(frozen=True)
class C2BPayment:
	"""One customer payment, from the parsed callback to the ledger row."""

	# What M-Pesa told us.
	trans_id: str | None
	amount: Decimal
	bill_ref_number: str = ""
	msisdn: str | None = None
	trans_time: datetime.datetime | None = None
	business_short_code: str | None = None
	# Where it goes, filled in as it travels: its inbox row, the driver (and vehicle) credited, how.
	callback: str | None = None
	driver: str | None = None
	tuktuk: str | None = None
	mode: str = SPLIT  # ledger.SPLIT (share paid out) or ledger.DEPOSIT (all to the target)
	remarks: str | None = None
	# Credited on a token-less callback's word (an upgraded site's original URLs): the payout waits On Hold
	# until M-Pesa confirms the payment (upgrade.verification).
	verify_first: bool = False

	def routed(self, **changes) -> "C2BPayment":
		"""The same payment with routing (or normalised values) filled in."""
		return replace(self, **changes)


@dataclass(frozen=True)
class Resolution:
	vehicle: str | None
	driver: str | None
	reason: str | None = None  # why no driver can be credited (None when one can)

	@property
	def ok(self) -> bool:
		return self.reason is None


# -- parsing -------------------------------------------------------------------------------------------


def payload_of(received: Received) -> dict:
	"""The JSON object a callback body holds (parsed once, at the door), or MalformedPayload."""
	if not received.text.strip():
		raise MalformedPayload(_("Empty callback body"))
	if received.error:
		raise MalformedPayload(_("Callback body is not valid JSON: {0}").format(received.error))
	if not isinstance(received.data, dict):
		raise MalformedPayload(_("Callback body must be a JSON object"))
	return received.data


def check_shortcode(shortcode, settings) -> None:
	"""Raise frappe.PermissionError when a paybill is configured and the callback names another shortcode."""
	expected = settings.paybill
	if expected and str(shortcode or "").strip() != expected:
		frappe.throw(
			_("BusinessShortCode {0} is not this site's paybill").format(shortcode or "(missing)"),
			frappe.PermissionError,
			title=_("Not Authorised"),
		)


def _text(data: dict, key: str) -> str | None:
	value = data.get(key)
	if value is None:
		return None
	if isinstance(value, (dict, list, bool)):
		raise MalformedPayload(_("{0} must be a string, got {1}").format(key, type(value).__name__))
	text = str(value).strip()
	return text or None


def parse_trans_time(value) -> datetime.datetime:
	"""Daraja's TransTime ("YYYYMMDDHHMMSS", Africa/Nairobi) as a naive datetime; ValueError if not."""
	text = str(value).strip()
	if not re.fullmatch(r"\d{14}", text):
		raise ValueError(f"TransTime must be YYYYMMDDHHMMSS, got {value!r}")
	return datetime.datetime.strptime(text, TRANS_TIME_FORMAT)


def parse_c2b_payload(
	data: dict, *, require_trans_id: bool = True, require_bill_ref: bool = True
) -> C2BPayment:
	"""A validated C2BPayment from a Daraja C2B payload; MalformedPayload naming every bad field."""
	if not isinstance(data, dict):
		raise MalformedPayload(_("Callback body must be a JSON object"))
	errors, refused = [], set()

	def field(key):
		try:
			text = _text(data, key)
		except MalformedPayload as e:
			errors.append(str(e))
			refused.add(key)
			return None
		if text is not None and (len(text) > MAX_TEXT or _CONTROL.search(text)):
			refused.add(key)
			errors.append(
				_("{0} must be at most {1} characters without control characters or markup").format(
					key, MAX_TEXT
				)
			)
			return None
		return text

	trans_id = field("TransID")
	if trans_id is None:
		if require_trans_id and "TransID" not in refused:
			errors.append(_("TransID is missing"))
	elif not _TRANS_ID.match(trans_id):
		errors.append(_("TransID must be 1-40 letters and digits, got {0!r}").format(trans_id))

	amount = None
	if data.get("TransAmount") is None or (
		isinstance(data.get("TransAmount"), str) and not data["TransAmount"].strip()
	):
		errors.append(_("TransAmount is missing"))
	else:
		try:
			amount = parse_amount(data.get("TransAmount"), maximum=MAX_AMOUNT)
		except ValueError as e:
			errors.append(_("TransAmount is invalid: {0}").format(e))

	bill_ref = field("BillRefNumber")
	if bill_ref is None:
		if require_bill_ref and "BillRefNumber" not in refused:
			errors.append(_("BillRefNumber is missing"))
	elif len(bill_ref) > 40:
		errors.append(_("BillRefNumber is longer than 40 characters"))

	trans_time = None
	raw_time = data.get("TransTime")
	if raw_time not in (None, ""):
		try:
			trans_time = parse_trans_time(raw_time)
		except ValueError as e:
			errors.append(_("TransTime is invalid: {0}").format(e))
		else:
			if not EARLIEST_TRANS_TIME <= trans_time <= now_datetime() + TRANS_TIME_LEEWAY:
				errors.append(_("TransTime {0} is not a plausible payment time").format(raw_time))
				trans_time = None

	msisdn = field("MSISDN")
	shortcode = field("BusinessShortCode")
	if errors:
		raise MalformedPayload("; ".join(errors))
	return C2BPayment(
		trans_id,
		amount,
		bill_ref_number=bill_ref or "",
		msisdn=msisdn,
		trans_time=trans_time,
		business_short_code=shortcode,
	)


def inbox_fields(data) -> dict:
	"""What can safely be copied from a (possibly malformed) payload onto its inbox row."""
	if not isinstance(data, dict):
		return {}
	fields = {}
	for key, fieldname in (
		("TransID", "trans_id"),
		("BillRefNumber", "bill_ref_number"),
		("MSISDN", "msisdn"),
	):
		value = data.get(key)
		if value not in (None, "") and not isinstance(value, (dict, list)):
			fields[fieldname] = str(value).strip()
	try:
		fields["amount"] = parse_amount(data.get("TransAmount"), maximum=MAX_AMOUNT)
	except ValueError:
		pass
	try:
		fields["trans_time"] = parse_trans_time(data.get("TransTime"))
	except ValueError:
		pass
	return fields


# -- driver resolution ---------------------------------------------------------------------------------


def resolve_driver(bill_ref_number: str | None) -> Resolution:
	"""Who a payment to account ``bill_ref_number`` belongs to (see the module docstring)."""
	account = (bill_ref_number or "").strip()
	if not account:
		return Resolution(None, None, _("No account number given"))
	rows = _vehicle_and_driver("v.mpesa_account = %s", account) or _vehicle_and_driver(
		"upper(v.mpesa_account) = upper(%s)", account
	)
	if not rows:
		return Resolution(None, None, _("No TukTuk has M-Pesa account {0}").format(account))
	vehicle, driver, status = rows[0]
	if not driver:
		return Resolution(vehicle, None, _("TukTuk {0} has no assigned driver").format(vehicle))
	if status != "Active":
		return Resolution(
			vehicle, driver, _("Driver {0} of TukTuk {1} is {2}").format(driver, vehicle, status)
		)
	return Resolution(vehicle, driver)


def _vehicle_and_driver(condition: str, account: str):
	"""(vehicle, driver, driver status) for the account, an active driver first."""
	return frappe.db.sql(
		f"""select v.name, d.name, d.status
		from `tabTukTuk Vehicle` v
		left join `tabTukTuk Driver` d on d.assigned_tuktuk = v.name
		where {condition}
		order by case when d.status = 'Active' then 0 else 1 end, d.modified desc
		limit 1""",
		(account,),
	)


# -- validation callback -------------------------------------------------------------------------------


def validate_payment(data: dict) -> tuple[str, str]:
	"""Daraja's (ResultCode, ResultDesc) for a validation request: accept only a payment we could credit."""
	if not isinstance(data, dict):
		return OTHER_ERROR
	try:
		parse_amount(data.get("TransAmount"), maximum=MAX_AMOUNT)
	except ValueError:
		return INVALID_AMOUNT
	msisdn = data.get("MSISDN")
	if not isinstance(msisdn, (str, int)) or not str(msisdn).strip():
		return INVALID_MSISDN
	if not is_masked_msisdn(msisdn):
		try:
			normalise_msisdn(msisdn)
		except InvalidMSISDN:
			return INVALID_MSISDN
	bill_ref = data.get("BillRefNumber")
	if not isinstance(bill_ref, (str, int)) or not resolve_driver(str(bill_ref)).ok:
		return INVALID_ACCOUNT
	return ACCEPTED


def handle_validation(received: Received, settings) -> dict:
	"""The C2B validation callback (already authenticated at the door): decide, keep a record, reply with
	Daraja's codes."""
	try:
		data = payload_of(received)
		check_shortcode(data.get("BusinessShortCode"), settings)
		code, desc = validate_payment(data)
	except frappe.PermissionError:
		raise
	except MalformedPayload:
		data, (code, desc) = None, OTHER_ERROR
	except Exception:
		frappe.log_error(title="M-Pesa Validation Error")
		data, (code, desc) = None, OTHER_ERROR
	inbox.store_callback(
		"C2B Validation",
		received,
		status="Processed" if code == ACCEPTED[0] else "Rejected",
		error=None if code == ACCEPTED[0] else f"{code}: {desc}",
		**inbox_fields(data),
	)
	return {"ResultCode": code, "ResultDesc": desc}


# -- confirmation callback -----------------------------------------------------------------------------


def handle_confirmation(received: Received, settings) -> dict:
	"""The C2B confirmation callback (DESIGN §4; already authenticated at the door): store the body and
	commit, then credit.

	Returns the reply for Safaricom ({"ResultCode", "ResultDesc"} plus "status" and our references). A
	malformed payload is Rejected (kept in the inbox, nothing credited; the door answers it with HTTP 400).
	A failure while crediting is acknowledged with ResultCode 0 all the same: the money has reached the
	paybill, a retry from Safaricom would not fix our error, and the inbox row (status Failed, with the
	error) is replayable with ``replay_callback``."""
	try:
		data = payload_of(received)
	except MalformedPayload as e:
		callback = inbox.store_callback("C2B Confirmation", received)
		return _reject(callback, e)
	callback = inbox.store_callback("C2B Confirmation", received, **inbox_fields(data))

	try:
		check_shortcode(data.get("BusinessShortCode"), settings)
	except frappe.PermissionError as e:
		inbox.mark(callback, "Rejected", error=str(e))
		# Boundary: the refusal is recorded before the 403 rolls the request back.
		frappe.db.commit()
		raise
	try:
		payment = parse_c2b_payload(data)
	except MalformedPayload as e:
		return _reject(callback, e)
	verify_first = received.auth == original_callbacks.MPESA_ADDRESS
	result = process_payment(payment.routed(callback=callback, verify_first=verify_first), settings=settings)
	return {**confirmation_reply(result), **result}


def confirmation_reply(result: dict) -> dict:
	status = result.get("status")
	if status == "Duplicate":
		return {"ResultCode": 0, "ResultDesc": "Accepted (duplicate TransID, already credited)"}
	if status == "Uncaptured":
		return {"ResultCode": 0, "ResultDesc": "Accepted (held as uncaptured)"}
	if status == "Failed":
		return {"ResultCode": 0, "ResultDesc": "Accepted (held for replay)"}
	return {"ResultCode": 0, "ResultDesc": "Accepted"}


def _reject(callback: str, error: Exception) -> dict:
	inbox.mark(callback, "Rejected", error=str(error))
	# Boundary: the rejected body stays in the inbox with its reason.
	frappe.db.commit()
	return {
		"ResultCode": OTHER_ERROR[0],
		"ResultDesc": f"Rejected: {error}",
		"status": "Rejected",
		"callback": callback,
	}


def process_payment(payment: C2BPayment, *, raise_on_failure: bool = False, settings=None) -> dict:
	"""Credit a parsed payment whose body is already in the inbox (``payment.callback``).

	Without ``payment.driver`` the driver is resolved from the account; an unresolvable payment is kept as
	Uncaptured. Returns a dict with "status" (Processed, Duplicate, Uncaptured or Failed)."""
	callback = payment.callback
	if payment.driver is None:
		resolution = resolve_driver(payment.bill_ref_number)
		if not resolution.ok:
			inbox.mark(callback, "Uncaptured", error=resolution.reason)
			# Boundary: the payment waits in the inbox for a manager to assign it.
			frappe.db.commit()
			return {"status": "Uncaptured", "callback": callback, "reason": resolution.reason}
		payment = payment.routed(driver=resolution.driver, tuktuk=payment.tuktuk or resolution.vehicle)
	try:
		result = credit_payment(payment, settings=settings)
	except Exception as e:
		# credit_payment has rolled back, marked the inbox row Failed and committed that.
		if raise_on_failure:
			raise
		return {"status": "Failed", "callback": callback, "error": f"{type(e).__name__}: {e}"}
	if result.status == "Processed" and callback:
		_check_with_mpesa_first(payment, result, settings or get_settings())
	return {**result.as_dict(), "callback": callback}


def _check_with_mpesa_first(payment: C2BPayment, result, settings) -> None:
	"""Start M-Pesa's check of a payment whose payout the ledger held for it (the same rule as
	``ledger.credit``): a token-less callback's, or a share above TukTuk Settings' amount."""
	if payment.verify_first:
		note = verification.HELD_NOTE
	elif verification.needs_check(result.driver_share, settings):
		note = verification.GUARD_NOTE
	else:
		return
	if not frappe.db.get_value(inbox.CALLBACK, payment.callback, "verification"):
		verification.start(payment.callback, note)


# -- manual paths (managers) -----------------------------------------------------------------------------


def process_uncaptured_payment(driver, tuktuk, transaction_id, customer_phone, amount, action_type) -> dict:
	"""Assign a payment that could not be credited (unknown account, no driver, failed) to ``driver``.

	``send_share`` runs the normal split and payout; ``deposit_share`` credits the whole amount to the
	balance. Same lock, same atomic update and same idempotency as a callback: a TransID already in the
	ledger is reported as Duplicate and not credited again."""
	if action_type not in (SEND_SHARE, DEPOSIT_SHARE):
		frappe.throw(
			_("Action must be {0} or {1}").format(SEND_SHARE, DEPOSIT_SHARE), title=_("Invalid Action")
		)
	transaction_id = _required_trans_id(transaction_id)
	amount = _manual_amount(amount)
	driver, tuktuk = _manual_driver(driver, tuktuk)
	customer_phone = _manual_text("Customer Phone", customer_phone)

	callback = _uncaptured_inbox_row(transaction_id)
	if callback:
		held = frappe.db.get_value(
			"TukTuk Callback", callback, ["amount", "msisdn", "trans_time", "bill_ref_number"], as_dict=True
		)
		if held.amount and to_money(held.amount) != amount:
			frappe.throw(
				_("Amount {0} does not match the {1} received for {2}").format(
					amount, to_money(held.amount), transaction_id
				),
				title=_("Amount Mismatch"),
			)
		payment = C2BPayment(
			transaction_id,
			amount,
			bill_ref_number=held.bill_ref_number or "",
			msisdn=customer_phone or held.msisdn,
			trans_time=held.trans_time,
		)
	else:
		payload = _manual_payload(transaction_id, amount, customer_phone, None, None)
		callback = inbox.store_callback("Manual Entry", Received.of(payload), **inbox_fields(payload))
		payment = C2BPayment(transaction_id, amount, msisdn=customer_phone)
	return process_payment(
		payment.routed(
			callback=callback,
			driver=driver,
			tuktuk=tuktuk,
			mode=DEPOSIT if action_type == DEPOSIT_SHARE else SPLIT,
			remarks=_("Uncaptured payment assigned ({0}) by {1}").format(action_type, frappe.session.user),
		),
		raise_on_failure=True,
	)


def add_missed_transaction(
	transaction_id, amount, customer_phone=None, tuktuk=None, account=None, trans_time=None, driver=None
) -> dict:
	"""Enter a payment M-Pesa has but whose callback never arrived; it goes through exactly the path of a
	confirmation callback (inbox row, parse, resolve, locked credit). Give the vehicle as ``tuktuk`` or its
	M-Pesa ``account``; ``trans_time`` as YYYYMMDDHHMMSS or a datetime (default now)."""
	transaction_id = _required_trans_id(transaction_id)
	if not account and tuktuk:
		account = frappe.db.get_value("TukTuk Vehicle", tuktuk, "mpesa_account")
		if not account:
			frappe.throw(_("TukTuk {0} not found").format(tuktuk), frappe.DoesNotExistError)
	if not account and not driver:
		frappe.throw(_("Give the TukTuk or its M-Pesa account"), title=_("Missing Account"))
	payload = _manual_payload(transaction_id, amount, customer_phone, account, trans_time)
	callback = inbox.store_callback("Manual Entry", Received.of(payload), **inbox_fields(payload))
	try:
		payment = parse_c2b_payload(payload, require_bill_ref=not driver)
	except MalformedPayload as e:
		inbox.mark(callback, "Rejected", error=str(e))
		# Boundary: the rejected entry stays in the inbox with its reason.
		frappe.db.commit()
		frappe.throw(str(e), MalformedPayload, title=_("Invalid Missed Transaction"))
	if driver:
		driver, tuktuk = _manual_driver(driver, tuktuk)
	return process_payment(
		payment.routed(
			callback=callback,
			driver=driver or None,
			tuktuk=tuktuk,
			remarks=_("Missed transaction entered by {0}").format(frappe.session.user),
		),
		raise_on_failure=True,
	)


def replay_callback(callback: str) -> dict:
	"""Process again a confirmation that Failed (or is still Received after a crash), from its stored body."""
	# The row is locked and its status read under the lock: two replays of one callback (a manager's and
	# the sweep's) cannot both take it; the second finds it settled.
	row = frappe.db.get_value(
		"TukTuk Callback",
		callback,
		["callback_type", "status", "payload", "auth"],
		as_dict=True,
		for_update=True,
	)
	if not row:
		frappe.throw(_("Callback {0} not found").format(callback), frappe.DoesNotExistError)
	if row.callback_type not in ("C2B Confirmation", "Manual Entry") or row.status not in (
		"Failed",
		"Received",
	):
		frappe.throw(
			_("Only a Failed or Received C2B confirmation can be replayed; {0} is {1} {2}").format(
				callback, row.callback_type, row.status
			),
			NotReplayable,
		)
	payment = parse_c2b_payload(payload_of(Received.parse(row.payload)))
	# A body no token vouched for (an upgraded site's original URLs) keeps its payout held for M-Pesa's check.
	verify_first = row.auth in (original_callbacks.MPESA_ADDRESS, original_callbacks.MANAGER)
	return process_payment(
		payment.routed(callback=callback, verify_first=verify_first), raise_on_failure=True
	)


def _required_trans_id(transaction_id) -> str:
	text = str(transaction_id or "").strip()
	if not text:
		frappe.throw(_("Transaction ID is required"), title=_("Missing Transaction ID"))
	if not _TRANS_ID.match(text):
		frappe.throw(_("Transaction ID must be 1-40 letters and digits"), title=_("Invalid Transaction ID"))
	return text


def _manual_amount(amount) -> Decimal:
	try:
		return parse_amount(amount, maximum=MAX_AMOUNT)
	except ValueError as e:
		frappe.throw(_("Invalid amount: {0}").format(e), title=_("Invalid Amount"))


def _manual_text(label: str, value) -> str | None:
	"""Optional text a manager typed, held to the rule a payload's text is held to (``MAX_TEXT``, no control
	characters, no markup)."""
	text = str(value).strip() if value not in (None, "") else ""
	if len(text) > MAX_TEXT or _CONTROL.search(text):
		frappe.throw(
			_("{0} must be at most {1} characters without control characters or markup").format(
				label, MAX_TEXT
			),
			title=_("Invalid {0}").format(label),
		)
	return text or None


def _manual_driver(driver, tuktuk) -> tuple[str, str | None]:
	if not driver or not frappe.db.exists("TukTuk Driver", driver):
		frappe.throw(_("Driver {0} not found").format(driver or ""), frappe.DoesNotExistError)
	if tuktuk and not frappe.db.exists("TukTuk Vehicle", tuktuk):
		frappe.throw(_("TukTuk {0} not found").format(tuktuk), frappe.DoesNotExistError)
	return driver, tuktuk or None


def _uncaptured_inbox_row(transaction_id: str) -> str | None:
	"""The inbox row holding a not-yet-credited confirmation for ``transaction_id``, if any."""
	rows = frappe.get_all(
		"TukTuk Callback",
		filters={
			"trans_id": transaction_id,
			"callback_type": ["in", ["C2B Confirmation", "Manual Entry"]],
			"status": ["in", ["Uncaptured", "Failed", "Received"]],
		},
		pluck="name",
		order_by="creation desc",
		limit=1,
	)
	return rows[0] if rows else None


def _manual_payload(transaction_id, amount, customer_phone, account, trans_time) -> dict:
	"""A Daraja-shaped confirmation body for a hand-entered payment (so it takes the callback's path)."""
	if trans_time in (None, ""):
		moment = None
	elif re.fullmatch(r"\d{14}", str(trans_time).strip()):
		moment = str(trans_time).strip()
	else:
		try:
			moment = get_datetime(trans_time).strftime(TRANS_TIME_FORMAT)
		except Exception:
			moment = str(trans_time)
	return {
		"TransactionType": "Pay Bill",
		"TransID": transaction_id,
		"TransTime": moment or now_datetime().strftime(TRANS_TIME_FORMAT),
		"TransAmount": str(amount) if amount is not None else None,
		"BusinessShortCode": get_settings().paybill or None,
		"BillRefNumber": account or "",
		"MSISDN": str(customer_phone or "").strip() or None,
	}
