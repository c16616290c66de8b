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
		if (frappe.user.has_role(["TukTuk Manager", "System Manager"])) {
			frm.add_custom_button(__("Enter Missed Payment"), () => missed_payment(frm));
		}
	},
	mpesa_account(frm) {
		if (frm.doc.mpesa_account) frm.set_value("mpesa_account", frm.doc.mpesa_account.trim());
	},
});

// A payment to this TukTuk's M-Pesa account whose callback never came: credited to the driver the account
// resolves to, exactly as the confirmation would have been (no driver: it waits as Uncaptured).
function missed_payment(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Enter Missed Payment"),
		fields: [
			{ fieldname: "transaction_id", fieldtype: "Data", label: __("M-Pesa Transaction ID"), reqd: 1 },
			{ fieldname: "amount", fieldtype: "Currency", label: __("Amount"), options: "currency", reqd: 1 },
			{ fieldname: "currency", fieldtype: "Data", hidden: 1, default: "KES" },
			{ fieldname: "customer_phone", fieldtype: "Data", label: __("Customer Phone") },
			{ fieldname: "trans_time", fieldtype: "Datetime", label: __("Paid At"), description: __("Empty: now") },
		],
		primary_action_label: __("Credit"),
		primary_action(values) {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.add_missed_transaction",
				args: {
					transaction_id: values.transaction_id.trim(), amount: values.amount,
					customer_phone: values.customer_phone, tuktuk: frm.doc.name, trans_time: values.trans_time,
				},
				freeze: true,
				callback: (r) => {
					dialog.hide();
					const res = r.message || {};
					frappe.msgprint({
						title: __("Payment {0}", [__(res.status || "")]),
						indicator: res.status === "Processed" ? "green" : "orange",
						message: frappe.utils.escape_html(res.message || res.reason || JSON.stringify(res)),
					});
				},
			});
		},
	});
	dialog.show();
}
