// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

const MANAGERS = ["TukTuk Manager", "System Manager"];
const PAYMENTS = ["C2B Confirmation", "Manual Entry"];

frappe.ui.form.on("TukTuk Callback", {
	refresh(frm) {
		frm.disable_save();
		if (!PAYMENTS.includes(frm.doc.callback_type) || !frappe.user.has_role(MANAGERS)) return;
		if (frm.doc.status === "Uncaptured" || frm.doc.status === "Failed") {
			frm.add_custom_button(__("Assign to Driver"), () => assign(frm), __("Actions"));
		}
		// A crediting that failed (or a crash after the body was stored) is processed again from the body kept.
		if (frm.doc.status === "Failed" || frm.doc.status === "Received") {
			frm.add_custom_button(__("Replay"), () => {
				frappe.confirm(__("Process {0} again from its stored body?", [frappe.utils.escape_html(frm.doc.trans_id || frm.doc.name)]), () =>
					frappe.call({
						method: "tuktuk_management.api.tuktuk.replay_callback",
						args: { callback: frm.doc.name },
						freeze: true,
						callback: (r) => {
							frm.reload_doc();
							outcome(r.message || {});
						},
					})
				);
			}, __("Actions"));
		}
	},
});

// The same method as the console (process_uncaptured_payment): a TransID already credited is a Duplicate.
function assign(frm) {
	const d = new frappe.ui.Dialog({
		title: __("Assign Uncaptured Payment"),
		fields: [
			{ fieldname: "driver", label: __("Driver"), fieldtype: "Link", options: "TukTuk Driver", reqd: 1 },
			{ fieldname: "tuktuk", label: __("TukTuk"), fieldtype: "Link", options: "TukTuk Vehicle" },
			{
				fieldname: "action_type", label: __("Action"), fieldtype: "Select", reqd: 1,
				options: "send_share\ndeposit_share", default: "send_share",
				description: __("send_share: the normal split and payout; deposit_share: the whole amount to the balance"),
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
				callback: (r) => {
					d.hide();
					frm.reload_doc();
					outcome(r.message || {});
				},
			});
		},
	});
	d.fields_dict.driver.df.onchange = () => {
		const driver = d.get_value("driver");
		if (driver) frappe.db.get_value("TukTuk Driver", driver, "assigned_tuktuk").then((r) => d.set_value("tuktuk", (r.message || {}).assigned_tuktuk || ""));
	};
	d.show();
}

function outcome(res) {
	frappe.msgprint({
		title: __("Payment {0}", [__(res.status || "")]),
		indicator: res.status === "Processed" ? "green" : "orange",
		message: frappe.utils.escape_html(res.message || res.reason || res.error || JSON.stringify(res)),
	});
}
