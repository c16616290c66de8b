// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Vehicle", {
	refresh(frm) {
		if (frm.is_new()) return;
		// The assignment is stored on the driver (TukTuk Driver.assigned_tuktuk): shown here, changed there.
		frappe.db.get_value("TukTuk Driver", { assigned_tuktuk: frm.doc.name }, ["name", "driver_name"]).then((r) => {
			const driver = r.message || {};
			frm.set_intro(driver.name
				? __("Driven by {0}. Assign or change the driver on the driver's form.", [
					`<a href="/app/tuktuk-driver/${encodeURIComponent(driver.name)}">${frappe.utils.escape_html(driver.driver_name || driver.name)}</a>`,
				])
				: __("No driver: assign this TukTuk on a driver's form (Assigned TukTuk)."), "blue");
		});
		frm.add_custom_button(__("Transactions"), () => {
			frappe.set_route("List", "TukTuk Transaction", { tuktuk: frm.doc.name });
		}, __("View"));
	},
	mpesa_account(frm) {
		if (frm.doc.mpesa_account) frm.set_value("mpesa_account", frm.doc.mpesa_account.trim());
	},
});
