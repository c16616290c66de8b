# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt

import frappe
from frappe import _
from frappe.model.document import Document

from tuktuk_management.money import to_money
from tuktuk_management.settings import parse_ip_allowlist


class TukTukSettings(Document):
	# begin: auto-generated types
	# This code is auto-generated. Do not modify anything in this block.

	from typing import TYPE_CHECKING

	if TYPE_CHECKING:
		from frappe.types import DF

		allowed_callback_ips: DF.SmallText | None
		auto_fix_on_schedule: DF.Check
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
	# end: auto-generated types

	def validate(self):
		fare = to_money(self.global_fare_percentage)
		if not (1 <= fare <= 100):
			frappe.throw(
				_("Global fare percentage must be between 1 and 100"), title=_("Invalid Fare Percentage")
			)
		if to_money(self.global_daily_target) < 0:
			frappe.throw(_("Global daily target cannot be negative"), title=_("Invalid Daily Target"))
		try:
			parse_ip_allowlist(self.allowed_callback_ips)
		except ValueError as e:
			frappe.throw(_("Allowed callback IPs: {0}").format(str(e)), title=_("Invalid IP Allowlist"))
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
		for fieldname in ("b2c_max_attempts", "http_timeout_seconds"):
			if (self.get(fieldname) or 0) < 1:
				frappe.throw(_("{0} must be at least 1").format(self.meta.get_label(fieldname)))
		if (self.b2c_retry_backoff_minutes or 0) < 0:
			frappe.throw(_("B2C retry backoff cannot be negative"))
