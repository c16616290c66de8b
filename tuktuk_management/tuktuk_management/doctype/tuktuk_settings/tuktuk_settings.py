# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""TukTuk Settings: the one settings class of the app.

Every reader goes through ``get_settings()``, which returns this controller (one query), and reads typed
accessors (money as Decimal, times as ``datetime.time``, flags as bool). A value a site never saved falls
back to its default in the DocType JSON, the only place defaults are written down."""

import datetime
import ipaddress
from decimal import Decimal

import frappe
from frappe import _
from frappe.model.document import Document
from frappe.utils import cint, get_datetime, getdate, now_datetime

from tuktuk_management.money import D, to_money

SETTINGS = "TukTuk Settings"
SHORTCODE_MIN_DIGITS, SHORTCODE_MAX_DIGITS = 5, 7
SAFARICOM_HOSTS = {"sandbox.safaricom.co.ke": "sandbox", "api.safaricom.co.ke": "production"}
# The shortcodes Daraja's sandbox test credentials use (its simulator's PayBill and Lipa Na M-Pesa Online).
SANDBOX_TEST_SHORTCODES = (
	"600000",
	"600977",
	"600978",
	"600980",
	"600984",
	"600992",
	"600997",
	"600998",
	"174379",
)
# Public URL testers Safaricom says it blocks in production (Daraja's C2B "URL Requirements").
PUBLIC_TESTERS = ("ngrok", "mockbin", "requestbin", "requestb.in")


class TukTukSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allowed_callback_ips: DF.SmallText | None
		auto_fix_on_schedule: DF.Check
		daily_mpesa_record_check: DF.Check
		mpesa_pull_nominated_number: DF.Data | None
		verify_payouts_above: DF.Currency
		b2c_command_id: DF.Literal["BusinessPayment", "SalaryPayment", "PromotionPayment"]
		b2c_enabled: DF.Check
		b2c_max_attempts: DF.Int
		b2c_retry_backoff_minutes: DF.Int
		b2c_shortcode: DF.Data | None
		c2b_register_version: DF.Literal["v1", "v2"]
		c2b_response_type: DF.Literal["Completed", "Cancelled"]
		callback_secret: DF.Password | None
		enable_target_sharing: DF.Check
		global_daily_target: DF.Currency
		global_fare_percentage: DF.Percent
		http_timeout_seconds: DF.Int
		instant_payouts_enabled: DF.Check
		last_daily_reset_date: DF.Date | None
		legacy_callback_networks: DF.SmallText | None
		legacy_callback_urls: DF.Check
		mpesa_base_url: DF.Data | None
		mpesa_certificate: DF.Code | None
		mpesa_consumer_key: DF.Data | None
		mpesa_consumer_secret: DF.Password | None
		mpesa_environment: DF.Literal["sandbox", "production", "custom"]
		mpesa_initiator_name: DF.Data | None
		mpesa_initiator_password: DF.Password | None
		mpesa_paybill: DF.Data | None
		mpesa_security_credential: DF.Password | None
		operating_hours_end: DF.Time | None
		operating_hours_start: DF.Time | None
		site_url: DF.Data | None
		trusted_proxies: DF.SmallText | None
	# end: auto-generated types

	def validate(self):
		fare = to_money(self.global_fare_percentage)
		if not (1 <= fare <= 100):
			frappe.throw(
				_("Global fare percentage must be between 1 and 100"), title=_("Invalid Fare Percentage")
			)
		if to_money(self.global_daily_target) < 0:
			frappe.throw(_("Global daily target cannot be negative"), title=_("Invalid Daily Target"))
		for fieldname in ("allowed_callback_ips", "trusted_proxies", "legacy_callback_networks"):
			try:
				parse_ip_allowlist(self.get(fieldname))
			except ValueError as e:
				frappe.throw(
					_("{0}: {1}").format(self.meta.get_label(fieldname), str(e)),
					title=_("Invalid IP Allowlist"),
				)
		for fieldname in ("mpesa_paybill", "b2c_shortcode"):
			value = (self.get(fieldname) or "").strip()
			if value and not value.isdigit():
				frappe.throw(
					_("{0} must be digits only").format(self.meta.get_label(fieldname)),
					title=_("Invalid Shortcode"),
				)
			self.set(fieldname, value)
		for fieldname in ("site_url", "mpesa_base_url"):
			value = (self.get(fieldname) or "").strip().rstrip("/")
			if value and not value.startswith(("http://", "https://")):
				frappe.throw(
					_("{0} must start with http:// or https://").format(self.meta.get_label(fieldname)),
					title=_("Invalid URL"),
				)
			self.set(fieldname, value)
		if self.mpesa_environment == "custom" and not self.mpesa_base_url:
			frappe.throw(_("Set the M-Pesa Base URL for a custom environment"), title=_("Missing Base URL"))
		# cint: a REST or form-encoded save sends numbers as text ("5"), which must validate, not raise TypeError.
		for fieldname in ("b2c_max_attempts", "http_timeout_seconds"):
			if cint(self.get(fieldname)) < 1:
				frappe.throw(_("{0} must be at least 1").format(self.meta.get_label(fieldname)))
		if cint(self.b2c_retry_backoff_minutes) < 0:
			frappe.throw(_("B2C retry backoff cannot be negative"))
		self.validate_mpesa_coherence()

	def validate_mpesa_coherence(self):
		"""Refuse M-Pesa settings that cannot work together (docs/going-live.md explains each field)."""
		for fieldname in ("mpesa_paybill", "b2c_shortcode"):
			value = self.get(fieldname) or ""
			if value and not (SHORTCODE_MIN_DIGITS <= len(value) <= SHORTCODE_MAX_DIGITS):
				frappe.throw(
					_("{0} must have {1} to {2} digits (a paybill, till or B2C shortcode), not {3}").format(
						self.meta.get_label(fieldname), SHORTCODE_MIN_DIGITS, SHORTCODE_MAX_DIGITS, value
					),
					title=_("Invalid Shortcode"),
				)
		environment = self.mpesa_environment or "sandbox"
		base_host = _host(self.mpesa_base_url)
		if environment == "custom" and base_host in SAFARICOM_HOSTS:
			frappe.throw(
				_("{0} is Safaricom's own Daraja: choose the environment {1} instead of custom").format(
					base_host, SAFARICOM_HOSTS[base_host]
				),
				title=_("Incoherent M-Pesa Settings"),
			)
		if environment == "production":
			self._validate_production()
		if cint(self.b2c_enabled):
			missing = []
			if not (self.mpesa_consumer_key or "").strip() or not self._has_secret("mpesa_consumer_secret"):
				missing.append(_("the consumer key and secret"))
			if not (self.mpesa_initiator_name or "").strip():
				missing.append(self.meta.get_label("mpesa_initiator_name"))
			if not self._has_secret("mpesa_security_credential") and not (
				self._has_secret("mpesa_initiator_password") and (self.mpesa_certificate or "").strip()
			):
				missing.append(
					_("the security credential, or the initiator password and Safaricom's certificate")
				)
			if not (self.b2c_shortcode or self.mpesa_paybill):
				missing.append(self.meta.get_label("b2c_shortcode"))
			if missing:
				frappe.throw(
					_("B2C payouts need {0}: set them, or turn B2C Enabled off").format(", ".join(missing)),
					title=_("Incomplete B2C Settings"),
				)
		certificate = (self.mpesa_certificate or "").strip()
		if certificate:
			try:
				from cryptography import x509

				x509.load_pem_x509_certificate(certificate.encode())
			except Exception:
				frappe.throw(
					_(
						"M-Pesa Certificate is not a PEM certificate: paste Safaricom's .cer file as text, from -----BEGIN CERTIFICATE----- to -----END CERTIFICATE-----"
					),
					title=_("Invalid Certificate"),
				)

	def _validate_production(self):
		problems = []
		for fieldname in ("mpesa_base_url", "site_url"):
			host = _host(self.get(fieldname))
			if host == "sandbox.safaricom.co.ke" or "sandbox" in (self.get(fieldname) or "").lower():
				problems.append(
					_("{0} points at a sandbox ({1})").format(
						self.meta.get_label(fieldname), self.get(fieldname)
					)
				)
		site_url = self.site_url or ""
		if site_url:
			if not site_url.startswith("https://"):
				problems.append(_("Site URL must be HTTPS: Safaricom calls only HTTPS URLs in production"))
			if _is_local(_host(site_url)):
				problems.append(_("Site URL {0} is not reachable from the Internet").format(site_url))
			if any(word in _host(site_url) for word in PUBLIC_TESTERS):
				problems.append(
					_("Site URL {0} is a public URL tester, which Safaricom blocks in production").format(
						site_url
					)
				)
		if (self.mpesa_paybill or "") in SANDBOX_TEST_SHORTCODES:
			problems.append(
				_("M-Pesa Paybill {0} is Daraja's sandbox test shortcode").format(self.mpesa_paybill)
			)
		if problems:
			frappe.throw(
				_("Production M-Pesa settings are incoherent:") + "<br>" + "<br>".join(problems),
				title=_("Incoherent M-Pesa Settings"),
			)

	def _has_secret(self, fieldname: str) -> bool:
		"""A Password field is set: a new value in this save, or the asterisks Frappe shows for a stored one."""
		return bool(str(self.get(fieldname) or "").strip())

	# -- typed accessors: what the rest of the app reads --------------------------------------------------

	def value(self, fieldname: str):
		"""The stored value, or the field's default from the DocType JSON when the site never saved one."""
		value = self.get(fieldname)
		if value is None or value == "":
			return self.meta.get_field(fieldname).get("default")
		return value

	def _flag(self, fieldname: str) -> bool:
		return bool(int(self.value(fieldname) or 0))

	def _text(self, fieldname: str) -> str:
		return str(self.value(fieldname) or "").strip()

	@property
	def global_target(self) -> Decimal:
		"""``global_daily_target``: the target of drivers whose own is 0."""
		return to_money(self.value("global_daily_target"))

	@property
	def global_fare(self) -> Decimal:
		"""``global_fare_percentage``: the driver's share (%) for drivers whose own is 0."""
		return D(self.value("global_fare_percentage"))

	@property
	def target_sharing(self) -> bool:
		"""``enable_target_sharing``: a driver past the target gets 100% of further payments."""
		return self._flag("enable_target_sharing")

	@property
	def day_start(self) -> datetime.time:
		"""``operating_hours_start``: when the business day (and so a balance period) begins."""
		return parse_time(self.value("operating_hours_start"))

	@property
	def day_end(self) -> datetime.time:
		"""``operating_hours_end`` (may be past midnight)."""
		return parse_time(self.value("operating_hours_end"))

	@property
	def last_close_date(self) -> datetime.date | None:
		"""``last_daily_reset_date``: the business date the daily close last ran for."""
		value = self.get("last_daily_reset_date")
		return getdate(value) if value else None

	@property
	def payouts_enabled(self) -> bool:
		"""``b2c_enabled``: B2C payouts may be sent at all."""
		return self._flag("b2c_enabled")

	@property
	def payouts_go_out(self) -> bool:
		"""Whether a new payout is queued for sending at once (else it is held for a manager)."""
		return self.payouts_enabled and self._flag("instant_payouts_enabled")

	@property
	def max_attempts(self) -> int:
		"""``b2c_max_attempts``: sends of one payout before it is Failed."""
		return int(self.value("b2c_max_attempts") or 0)

	@property
	def retry_backoff_minutes(self) -> int:
		"""``b2c_retry_backoff_minutes``: the first retry's wait, doubled per attempt."""
		return int(self.value("b2c_retry_backoff_minutes") or 0)

	@property
	def http_timeout(self) -> float:
		"""``http_timeout_seconds``: every Daraja call's timeout."""
		return float(self.value("http_timeout_seconds") or 30)

	@property
	def verify_payouts_above(self) -> Decimal:
		"""``verify_payouts_above``: shares above this wait for M-Pesa to confirm the payment (0: never)."""
		return to_money(self.value("verify_payouts_above") or 0)

	@property
	def mpesa_record_check(self) -> bool:
		"""``daily_mpesa_record_check``: compare the ledger with M-Pesa's Pull Transactions every day."""
		return self._flag("daily_mpesa_record_check")

	@property
	def auto_fix_scheduled(self) -> bool:
		"""``auto_fix_on_schedule``: the scheduled reconciliation fixes, not only reports."""
		return self._flag("auto_fix_on_schedule")

	@property
	def environment(self) -> str:
		"""``mpesa_environment``: sandbox, production or custom."""
		return self._text("mpesa_environment") or "sandbox"

	@property
	def custom_base_url(self) -> str:
		"""``mpesa_base_url`` without a trailing slash (the custom environment's Daraja)."""
		return self._text("mpesa_base_url").rstrip("/")

	@property
	def paybill(self) -> str:
		"""``mpesa_paybill``: our C2B shortcode ("" when not configured)."""
		return self._text("mpesa_paybill")

	@property
	def payout_shortcode(self) -> str:
		"""``b2c_shortcode``, else the paybill: the shortcode B2C payments are made from."""
		return self._text("b2c_shortcode") or self.paybill

	@property
	def command_id(self) -> str:
		"""``b2c_command_id``: the B2C CommandID."""
		return self._text("b2c_command_id")

	@property
	def register_version(self) -> str:
		"""``c2b_register_version``: the C2B URL registration API version (v1 or v2)."""
		version = self._text("c2b_register_version")
		return version if version in ("v1", "v2") else "v1"

	@property
	def response_type(self) -> str:
		"""``c2b_response_type``: what M-Pesa does when our validation URL does not answer."""
		return self._text("c2b_response_type")

	@property
	def callback_networks(self) -> tuple:
		"""``allowed_callback_ips`` as ip_network objects (empty: callbacks from any address)."""
		return parse_ip_allowlist(self.get("allowed_callback_ips"))

	@property
	def trusted_proxy_networks(self) -> tuple:
		"""``trusted_proxies`` as ip_network objects: the proxies whose X-Forwarded-For is believed."""
		return parse_ip_allowlist(self.value("trusted_proxies"))

	@property
	def original_urls_accepted(self) -> bool:
		"""``legacy_callback_urls``: token-less callbacks on the original app's URLs may be accepted (an
		upgraded site whose URLs at Safaricom carry no token; docs/upgrading.md)."""
		return self._flag("legacy_callback_urls")

	@property
	def mpesa_callback_networks(self) -> tuple:
		"""``legacy_callback_networks``: M-Pesa's source addresses a token-less callback must come from."""
		return parse_ip_allowlist(self.value("legacy_callback_networks"))

	@property
	def public_url(self) -> str:
		"""``site_url`` without a trailing slash: the address M-Pesa calls back."""
		return self._text("site_url").rstrip("/")

	def secret(self, fieldname: str) -> str:
		"""A Password field in clear text, or "" when it was never set."""
		return self.get_password(fieldname, raise_exception=False) or ""

	def business_date(self, at=None) -> datetime.date:
		"""The business date at moment ``at`` (default now, site time zone): a business day starts at
		``operating_hours_start``, so 02:00 belongs to the previous day's business when the day starts at 06:00."""
		moment = get_datetime(at) if at else now_datetime()
		if moment.time() < self.day_start:
			return (moment - datetime.timedelta(days=1)).date()
		return moment.date()


def get_settings() -> TukTukSettings:
	"""The current TukTuk Settings, read from the database (one query)."""
	return frappe.get_single(SETTINGS)


def get_callback_secret() -> str:
	"""The per-site secret M-Pesa's callback URLs carry (without loading the whole single)."""
	from frappe.utils.password import get_decrypted_password

	return get_decrypted_password(SETTINGS, SETTINGS, "callback_secret", raise_exception=False) or ""


def _host(url) -> str:
	from urllib.parse import urlsplit

	try:
		return (urlsplit(str(url or "").strip()).hostname or "").lower()
	except ValueError:
		return ""


def _is_local(host: str) -> bool:
	"""localhost, a loopback/private/link-local address, or a name without a dot (not on the Internet)."""
	if not host:
		return True
	if host == "localhost" or host.endswith((".local", ".localhost", ".internal")):
		return True
	try:
		address = ipaddress.ip_address(host)
	except ValueError:
		return "." not in host
	return address.is_private or address.is_loopback or address.is_link_local or address.is_unspecified


def parse_time(value) -> datetime.time:
	"""A Time field's value (str "HH:MM[:SS[.f]]", timedelta from MariaDB, or time) as a datetime.time."""
	if isinstance(value, datetime.time):
		return value
	if isinstance(value, datetime.timedelta):
		seconds = int(value.total_seconds()) % 86400
		return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
	parts = str(value or "00:00:00").strip().split(".")[0].split(":")
	hours, minutes = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
	seconds = int(parts[2]) if len(parts) > 2 else 0
	return datetime.time(hours % 24, minutes, seconds)


def ip_allowed(addr: str | None, networks) -> bool:
	"""Whether ``addr`` (an IP address as text) is in one of ``networks`` (ip_network objects)."""
	try:
		ip = ipaddress.ip_address((addr or "").strip())
	except ValueError:
		return False
	return any(ip in network for network in networks if network.version == ip.version)


def parse_ip_allowlist(text) -> tuple:
	"""One address or CIDR network per line (commas also accepted) as ip_network objects.

	Raises ValueError naming the bad entry."""
	networks = []
	for raw in str(text or "").replace(",", "\n").splitlines():
		entry = raw.strip()
		if not entry or entry.startswith("#"):
			continue
		try:
			networks.append(ipaddress.ip_network(entry, strict=False))
		except ValueError:
			raise ValueError(f"{entry!r} is not an IP address or network") from None
	return tuple(networks)
