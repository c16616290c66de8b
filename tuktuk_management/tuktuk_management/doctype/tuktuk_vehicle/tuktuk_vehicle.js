// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Vehicle", {
	refresh(frm) {
		frm.set_query("assigned_driver", () => ({ filters: { status: "Active" } }));
		if (!frm.is_new() && frm.doc.assigned_driver) {
			frm.add_custom_button(__("Transactions"), () => {
				frappe.set_route("List", "TukTuk Transaction", { tuktuk: frm.doc.name });
			}, __("View"));
		}
	},
	mpesa_account(frm) {
		if (frm.doc.mpesa_account) frm.set_value("mpesa_account", frm.doc.mpesa_account.trim());
	},
});
