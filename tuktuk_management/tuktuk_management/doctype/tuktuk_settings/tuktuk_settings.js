// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Settings", {
	refresh(frm) {
		frm.add_custom_button(__("Test connection"), () => {
			// Tests the SAVED settings: save first so what is tested is what the workers will use.
			const run = () =>
				frappe.call({
					method: "tuktuk_management.api.health.test_connection",
					freeze: true,
					freeze_message: __("Asking Daraja for an access token..."),
					callback: (r) => {
						const v = r.message || {};
						frappe.msgprint({
							title: v.ok ? __("Connection OK") : __("Connection failed"),
							indicator: v.ok ? "green" : "red",
							message: frappe.utils.escape_html(v.message || ""),
						});
					},
				});
			if (frm.is_dirty()) frm.save().then(run);
			else run();
		});
		frm.add_custom_button(__("Register C2B URLs"), () => {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.register_c2b_urls",
				freeze: true,
				callback: (r) => frappe.msgprint({ title: __("C2B URLs"), message: JSON.stringify(r.message || {}, null, 2) }),
			});
		});
		frm.add_custom_button(__("Reconcile All Drivers"), () => {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.reconcile_all_drivers_balances",
				freeze: true,
				callback: (r) => frappe.msgprint(__("Drivers with discrepancies: {0}", [(r.message || {}).drivers_with_discrepancies])),
			});
		});
	},
	global_fare_percentage(frm) {
		const v = frm.doc.global_fare_percentage;
		if (v < 1 || v > 100) frappe.msgprint(__("Global fare percentage must be between 1 and 100"));
	},
});
