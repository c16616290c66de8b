// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

const MANAGERS = ["TukTuk Manager", "System Manager"];

// Every button goes through the outbox's rules (payouts/outbox.py retry_payout): a Failed or Queued payout
// is sent again (M-Pesa paid nothing), an in-doubt one (Sent, Unknown) is only asked about, never resent.
frappe.ui.form.on("TukTuk Payout", {
	refresh(frm) {
		if (frm.is_new() || !frappe.user.has_role(MANAGERS)) return;
		const status = frm.doc.status;
		if (status === "On Hold") {
			frm.add_custom_button(__("Release"), () => {
				frappe.call({
					method: "tuktuk_management.api.tuktuk.release_held_payouts",
					args: { payouts: JSON.stringify([frm.doc.name]) },
					freeze: true,
					callback: (r) => {
						frm.reload_doc();
						frappe.show_alert({ message: __("{0} payout(s) released", [(r.message || {}).count || 0]), indicator: "green" });
					},
				});
			}, __("Actions"));
		}
		if (["Failed", "Queued"].includes(status)) {
			frm.add_custom_button(__("Retry"), () => {
				frappe.confirm(
					__("Send {0} to {1} again now? M-Pesa reported nothing paid for it.", [
						format_currency(frm.doc.amount, "KES"), frappe.utils.escape_html(frm.doc.phone || ""),
					]),
					() => move_payout(frm)
				);
			}, __("Actions"));
		}
		if (["Sent", "Unknown"].includes(status)) {
			frm.add_custom_button(__("Query Status"), () => move_payout(frm), __("Actions"));
			frm.set_intro(__("M-Pesa may have paid this: it is checked with a Transaction Status query, never sent twice."), "orange");
		}
	},
});

function move_payout(frm) {
	frappe.call({
		method: "tuktuk_management.api.tuktuk.retry_payout",
		args: { payout: frm.doc.name },
		freeze: true,
		callback: (r) => {
			const res = r.message || {};
			frm.reload_doc();
			const done = { send: __("sent to M-Pesa"), check: __("status asked of M-Pesa") }[res.action] || __("nothing to do now");
			frappe.msgprint({
				title: __("Payout {0}", [res.payout || frm.doc.name]),
				indicator: res.status === "Paid" ? "green" : res.status === "Failed" ? "red" : "blue",
				message: __("{0}; status now {1}", [done, __(res.status || "")]),
			});
		},
	});
}
