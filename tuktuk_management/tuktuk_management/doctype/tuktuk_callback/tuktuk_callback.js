// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Callback", {
	refresh(frm) {
		frm.disable_save();
		const assignable = ["Uncaptured", "Failed"].includes(frm.doc.status) &&
			["C2B Confirmation", "Manual Entry"].includes(frm.doc.callback_type);
		if (!assignable) return;
		frm.add_custom_button(__("Assign to Driver"), () => {
			const d = new frappe.ui.Dialog({
				title: __("Assign Uncaptured Payment"),
				fields: [
					{ fieldname: "driver", label: __("Driver"), fieldtype: "Link", options: "TukTuk Driver", reqd: 1 },
					{ fieldname: "tuktuk", label: __("TukTuk"), fieldtype: "Link", options: "TukTuk Vehicle" },
					{
						fieldname: "action_type", label: __("Action"), fieldtype: "Select", reqd: 1,
						options: "send_share\ndeposit_share", default: "send_share",
						description: __("send_share: normal split and payout; deposit_share: the whole amount to the balance"),
					},
				],
				primary_action_label: __("Process"),
				primary_action(values) {
					frappe.call({
						method: "tuktuk_management.api.tuktuk.process_uncaptured_payment",
						args: {
							driver: values.driver, tuktuk: values.tuktuk, transaction_id: frm.doc.trans_id,
							customer_phone: frm.doc.msisdn, amount: frm.doc.amount, action_type: values.action_type,
						},
						freeze: true,
						callback: () => { d.hide(); frm.reload_doc(); },
					});
				},
			});
			d.show();
		});
	},
});
