// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

// Every amount is in Kenyan shillings, whatever the site's default currency (tuktuk_management/kes.py).
const kes = (value) => format_currency(value, "KES");
const MANAGERS = ["TukTuk Manager", "System Manager"];

frappe.ui.form.on("TukTuk Driver", {
	refresh(frm) {
		// Balances are changed only by payments, the daily close and reconciliation.
		frm.set_df_property("balance_section", "description", __("Read-only: changed by the ledger, never by this form"));
		if (frm.is_new()) return;
		frm.add_custom_button(__("Reconcile Balance"), () => reconcile(frm), __("Balance"));
		// The server refuses others too (door.require_manager); the button is not offered to them.
		if (frappe.user.has_role(MANAGERS)) {
			frm.add_custom_button(__("Fix Balance"), () => fix_balance(frm), __("Balance"));
			frm.add_custom_button(__("Enter Missed Payment"), () => missed_payment(frm), __("Balance"));
			show_last_reconciliation(frm);
		}
		frm.add_custom_button(__("Download Statement"), () => download_statement(frm), __("Balance"));
		frm.add_custom_button(__("Transactions"), () => {
			frappe.set_route("List", "TukTuk Transaction", { driver: frm.doc.name });
		}, __("View"));
	},
	driver_first_name: (frm) => set_full_name(frm),
	driver_last_name: (frm) => set_full_name(frm),
});

function reconcile(frm) {
	frappe.call({
		method: "tuktuk_management.api.tuktuk.reconcile_driver_balance",
		args: { driver_name: frm.doc.name },
		freeze: true,
		callback: (r) => {
			const res = r.message || {};
			frappe.msgprint({
				title: __("Balance Reconciliation"),
				indicator: Number(res.discrepancy) ? "orange" : "green",
				message: __("Current balance {0}, calculated {1}, discrepancy {2} ({3} transactions, period {4})", [
					kes(res.old_balance), kes(res.calculated_balance), kes(res.discrepancy),
					res.transactions_count, frappe.datetime.str_to_user(res.balance_period) || "",
				]),
			});
			show_last_reconciliation(frm);
		},
	});
}

// A dry run first (auto_fix 0: nothing changes), then the manager confirms old -> new, then the fix under
// the driver's row lock; the form reloads with the new balance.
function fix_balance(frm) {
	frappe.call({
		method: "tuktuk_management.api.tuktuk.fix_driver_balance",
		args: { driver_name: frm.doc.name, auto_fix: 0 },
		freeze: true,
		callback: (r) => {
			const res = r.message || {};
			if (!Number(res.discrepancy)) {
				frappe.msgprint({
					title: __("Fix Balance"), indicator: "green",
					message: __("Balance {0} matches the ledger: nothing to fix", [kes(res.old_balance)]),
				});
				return;
			}
			frappe.confirm(
				__("Set {0}'s balance from {1} to {2} (the ledger total of {3} transactions)?", [
					frappe.utils.escape_html(frm.doc.driver_name || frm.doc.name),
					`<b>${kes(res.old_balance)}</b>`, `<b>${kes(res.calculated_balance)}</b>`, res.transactions_count,
				]),
				() => frappe.call({
					method: "tuktuk_management.api.tuktuk.fix_driver_balance",
					args: { driver_name: frm.doc.name, auto_fix: 1 },
					freeze: true,
					callback: (done) => {
						const fixed = done.message || {};
						frm.reload_doc();
						frappe.msgprint({
							title: __("Balance Fixed"), indicator: fixed.fixed ? "green" : "orange",
							message: fixed.fixed
								? __("Balance {0} → {1}", [kes(fixed.old_balance), kes(fixed.new_balance)])
								: frappe.utils.escape_html(fixed.message || ""),
						});
					},
				})
			);
		},
	});
}

// A payment M-Pesa has but whose callback never came: it takes the path of a confirmation callback.
function missed_payment(frm) {
	const dialog = new frappe.ui.Dialog({
		title: __("Enter Missed Payment"),
		fields: [
			{ fieldname: "transaction_id", fieldtype: "Data", label: __("M-Pesa Transaction ID"), reqd: 1 },
			{ fieldname: "amount", fieldtype: "Currency", label: __("Amount"), options: "currency", reqd: 1 },
			{ fieldname: "currency", fieldtype: "Data", hidden: 1, default: "KES" },
			{ fieldname: "customer_phone", fieldtype: "Data", label: __("Customer Phone") },
			{ fieldname: "trans_time", fieldtype: "Datetime", label: __("Paid At"), description: __("Empty: now") },
			{
				fieldname: "tuktuk", fieldtype: "Link", options: "TukTuk Vehicle", label: __("TukTuk"),
				default: frm.doc.assigned_tuktuk,
			},
		],
		primary_action_label: __("Credit"),
		primary_action(values) {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.add_missed_transaction",
				args: {
					transaction_id: values.transaction_id.trim(), amount: values.amount,
					customer_phone: values.customer_phone, tuktuk: values.tuktuk,
					trans_time: values.trans_time, driver: frm.doc.name,
				},
				freeze: true,
				callback: (r) => {
					dialog.hide();
					frm.reload_doc();
					show_payment_outcome(r.message || {});
				},
			});
		},
	});
	dialog.show();
}

function show_payment_outcome(res) {
	frappe.msgprint({
		title: __("Payment {0}", [__(res.status || "")]),
		indicator: res.status === "Processed" ? "green" : "orange",
		message: frappe.utils.escape_html(res.message || JSON.stringify(res)),
	});
}

// A red indicator while the last reconciliation found a discrepancy it did not fix.
function show_last_reconciliation(frm) {
	frappe.db.get_list("TukTuk Balance Reconciliation", {
		filters: { driver: frm.doc.name },
		fields: ["name", "discrepancy", "fixed", "creation"],
		order_by: "creation desc",
		limit: 1,
	}).then((rows) => {
		const last = rows && rows[0];
		frm.dashboard.clear_headline();
		if (last && Number(last.discrepancy) && !last.fixed) {
			frm.dashboard.set_headline_alert(
				__("The last reconciliation ({0}) found a discrepancy of {1}: Balance > Fix Balance sets the ledger total.", [
					frappe.datetime.str_to_user(last.creation), kes(last.discrepancy),
				]),
				"red"
			);
		}
	});
}

// A GET download of the driver's ledger (CSV) for a range of balance periods, by default the open one.
function download_statement(frm) {
	const period = frm.doc.balance_period || frappe.datetime.get_today();
	const dialog = new frappe.ui.Dialog({
		title: __("Download Statement"),
		fields: [
			{ fieldname: "from_date", fieldtype: "Date", label: __("From Period"), default: period, reqd: 1 },
			{ fieldname: "column_break_dates", fieldtype: "Column Break" },
			{ fieldname: "to_date", fieldtype: "Date", label: __("To Period"), default: period, reqd: 1 },
		],
		primary_action_label: __("Download"),
		primary_action(values) {
			if (values.from_date > values.to_date) {
				frappe.msgprint(__("From Period must not be after To Period"));
				return;
			}
			const query = new URLSearchParams({
				driver: frm.doc.name,
				from_date: values.from_date,
				to_date: values.to_date,
			});
			window.open(`/api/method/tuktuk_management.api.tuktuk.download_driver_statement?${query}`);
			dialog.hide();
		},
	});
	dialog.show();
}

function set_full_name(frm) {
	frm.set_value("driver_name", [frm.doc.driver_first_name, frm.doc.driver_last_name].filter(Boolean).join(" "));
}
