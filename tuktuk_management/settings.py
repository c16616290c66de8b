"""Typed accessors for the TukTuk Settings single.

Every reader of settings goes through here, so the defaults for values a site never saved live in one place
(the same defaults as the DocType JSON) and money comes back as Decimal."""

import datetime
import ipaddress
from dataclasses import dataclass

import frappe
from frappe.utils import get_datetime, getdate, now_datetime

from tuktuk_management.money import D, to_money

SETTINGS = "TukTuk Settings"

DEFAULTS = {
	"global_daily_target": "3000",
	"global_fare_percentage": "50",
	"enable_target_sharing": 1,
	"operating_hours_start": "06:00:00",
	"operating_hours_end": "00:00:00",
	"b2c_enabled": 0,
	"instant_payouts_enabled": 1,
	"mpesa_environment": "sandbox",
	"c2b_register_version": "v1",
	"c2b_response_type": "Completed",
	"b2c_command_id": "BusinessPayment",
	"b2c_max_attempts": 5,
	"b2c_retry_backoff_minutes": 2,
	"http_timeout_seconds": 30,
	"auto_fix_on_schedule": 0,
}


@dataclass(frozen=True)
class TukTukSettings:
	global_daily_target: object  # Decimal
	global_fare_percentage: object  # Decimal
	enable_target_sharing: bool
	operating_hours_start: datetime.time
	operating_hours_end: datetime.time
	last_daily_reset_date: datetime.date | None
	b2c_enabled: bool
	instant_payouts_enabled: bool
	mpesa_environment: str
	mpesa_base_url: str
	mpesa_paybill: str
	b2c_shortcode: str
	c2b_register_version: str
	c2b_response_type: str
	b2c_command_id: str
	allowed_callback_ips: tuple
	site_url: str
	b2c_max_attempts: int
	b2c_retry_backoff_minutes: int
	http_timeout_seconds: int
	auto_fix_on_schedule: bool

	@property
	def payouts_go_out(self) -> bool:
		"""Whether a new payout is queued for sending at once (else it is held for a manager)."""
		return self.b2c_enabled and self.instant_payouts_enabled


def _value(doc, fieldname):
	value = doc.get(fieldname)
	if value is None or value == "":
		return DEFAULTS.get(fieldname)
	return value


def parse_time(value, default="00:00:00") -> datetime.time:
	"""A Time field's value (str "HH:MM[:SS[.f]]", timedelta from MariaDB, or time) as a datetime.time."""
	if value is None or value == "":
		value = default
	if isinstance(value, datetime.time):
		return value
	if isinstance(value, datetime.timedelta):
		seconds = int(value.total_seconds()) % 86400
		return datetime.time(seconds // 3600, seconds // 60 % 60, seconds % 60)
	parts = str(value).strip().split(".")[0].split(":")
	hours, minutes = int(parts[0]), int(parts[1]) if len(parts) > 1 else 0
	seconds = int(parts[2]) if len(parts) > 2 else 0
	return datetime.time(hours % 24, minutes, seconds)


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


def get_settings() -> TukTukSettings:
	"""The current TukTuk Settings, read from the database (one query), with defaults filled in."""
	doc = frappe.get_single(SETTINGS)
	reset = doc.get("last_daily_reset_date")
	return TukTukSettings(
		global_daily_target=to_money(_value(doc, "global_daily_target")),
		global_fare_percentage=D(_value(doc, "global_fare_percentage")),
		enable_target_sharing=bool(int(_value(doc, "enable_target_sharing") or 0)),
		operating_hours_start=parse_time(_value(doc, "operating_hours_start")),
		operating_hours_end=parse_time(_value(doc, "operating_hours_end")),
		last_daily_reset_date=getdate(reset) if reset else None,
		b2c_enabled=bool(int(_value(doc, "b2c_enabled") or 0)),
		instant_payouts_enabled=bool(int(_value(doc, "instant_payouts_enabled") or 0)),
		mpesa_environment=str(_value(doc, "mpesa_environment") or "sandbox"),
		mpesa_base_url=(doc.get("mpesa_base_url") or "").strip().rstrip("/"),
		mpesa_paybill=(doc.get("mpesa_paybill") or "").strip(),
		b2c_shortcode=(doc.get("b2c_shortcode") or "").strip(),
		c2b_register_version=str(_value(doc, "c2b_register_version")),
		c2b_response_type=str(_value(doc, "c2b_response_type")),
		b2c_command_id=str(_value(doc, "b2c_command_id")),
		allowed_callback_ips=parse_ip_allowlist(doc.get("allowed_callback_ips")),
		site_url=(doc.get("site_url") or "").strip().rstrip("/"),
		b2c_max_attempts=int(_value(doc, "b2c_max_attempts") or 0),
		b2c_retry_backoff_minutes=int(_value(doc, "b2c_retry_backoff_minutes") or 0),
		http_timeout_seconds=int(_value(doc, "http_timeout_seconds") or 0),
		auto_fix_on_schedule=bool(int(_value(doc, "auto_fix_on_schedule") or 0)),
	)


def get_password(fieldname: str) -> str:
	"""A Password field of TukTuk Settings in clear text, or "" when it was never set."""
	from frappe.utils.password import get_decrypted_password

	return get_decrypted_password(SETTINGS, SETTINGS, fieldname, raise_exception=False) or ""


def get_callback_secret() -> str:
	return get_password("callback_secret")


def business_date(at=None, settings: TukTukSettings | None = None) -> datetime.date:
	"""The business date at moment ``at`` (default now, site time zone): a business day starts at
	``operating_hours_start``, so 02:00 belongs to the previous day's business when the day starts at 06:00."""
	settings = settings or get_settings()
	moment = get_datetime(at) if at else now_datetime()
	if moment.time() < settings.operating_hours_start:
		return (moment - datetime.timedelta(days=1)).date()
	return moment.date()
