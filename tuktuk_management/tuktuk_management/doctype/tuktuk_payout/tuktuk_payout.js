// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Payout", {
	refresh(frm) {
		if (frm.doc.status === "On Hold") {
			frm.add_custom_button(__("Release"), () => {
				frappe.call({
					method: "tuktuk_management.api.tuktuk.release_held_payouts",
					args: { payouts: JSON.stringify([frm.doc.name]) },
					freeze: true,
					callback: () => frm.reload_doc(),
				});
			});
		}
	},
});
