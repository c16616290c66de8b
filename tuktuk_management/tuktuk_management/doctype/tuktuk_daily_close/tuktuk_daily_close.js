// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Daily Close", {
	refresh(frm) {
		// Written by the ledger code only.
		frm.disable_save();
	},
});
