"""Rows written before the Currency fields named a `currency` field get it (KES): Desk shows their amounts in
shillings instead of the site's default currency. New rows take the field's default."""

import frappe

from tuktuk_management.payouts import outbox

# Written out (not one f-string over names) so the architecture scan can see which tables they touch.
UPDATES = (
	"update `tabTukTuk Driver` set currency = 'KES' where currency is null or currency = ''",
	"update `tabTukTuk Vehicle` set currency = 'KES' where currency is null or currency = ''",
	"update `tabTukTuk Transaction` set currency = 'KES' where currency is null or currency = ''",
	"update `tabTukTuk Callback` set currency = 'KES' where currency is null or currency = ''",
	"update `tabTukTuk Balance Reconciliation` set currency = 'KES' where currency is null or currency = ''",
	"update `tabTukTuk Daily Close` set currency = 'KES' where currency is null or currency = ''",
)


def execute():
	# A display field, not money: plain UPDATEs (no ledger row) are right here.
	for statement in UPDATES:
		frappe.db.sql(statement)
	outbox.mark_old_payouts_in_kes()
	if not frappe.db.get_single_value("TukTuk Settings", "currency"):
		frappe.db.set_single_value("TukTuk Settings", "currency", "KES")
