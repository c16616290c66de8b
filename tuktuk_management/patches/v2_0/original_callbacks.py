"""[post_model_sync] Callbacks keep arriving on the original's URLs: accept them the safe way.

The original registered its C2B URLs with Safaricom without a token; ours need one. Until this site's token
URLs are registered (TukTuk Settings > Register C2B URLs; on a production paybill Safaricom may have to do
it), token-less callbacks on the original's URLs are accepted from M-Pesa's addresses for this paybill, with
the payout checked with M-Pesa first (tuktuk_management/upgrade/original_callbacks.py): switched on here,
with M-Pesa's published networks and this machine as the trusted proxy (bench's nginx). An Error Log tells
the operator what to register."""

import frappe

from tuktuk_management.patches.v2_0.original_app import SETTINGS, is_original_site, report

NETWORKS = "196.201.212.0/24\n196.201.213.0/24\n196.201.214.0/24"
PROXIES = "127.0.0.1\n::1"


def execute():
	if not is_original_site():
		return
	frappe.db.set_single_value(SETTINGS, "legacy_callback_urls", 1)
	for field, default in (("legacy_callback_networks", NETWORKS), ("trusted_proxies", PROXIES)):
		if not frappe.db.get_single_value(SETTINGS, field):
			frappe.db.set_single_value(SETTINGS, field, default)
	site_url = frappe.db.get_single_value(SETTINGS, "site_url") or ""
	frappe.log_error(
		title="Upgrade: Register the C2B URLs Again",
		message=(
			"This site was upgraded from the original tuktuk_management. Safaricom still calls its token-less "
			"URLs; they are accepted from M-Pesa's addresses only, and each payout waits for M-Pesa to confirm "
			"its payment. Check TukTuk Settings (Site URL, M-Pesa Callback Addresses, Trusted Proxies), then "
			"Register C2B URLs (or ask Safaricom to register them): "
			f"{site_url}/api/method/tuktuk_management.api.tuktuk.payment_confirmation?token=... and "
			f"{site_url}/api/method/tuktuk_management.api.tuktuk.payment_validation?token=... . "
			"Then untick 'Accept Token-less Callbacks on the Original App's URLs'. See docs/upgrading.md."
		),
	)
	report(
		"callbacks", {"token_less_original_urls": "accepted from M-Pesa's addresses", "networks": NETWORKS}
	)
