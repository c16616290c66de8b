// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Balance Reconciliation", {
	refresh(frm) {
		// Written by the ledger code only.
		frm.disable_save();
	},
});
