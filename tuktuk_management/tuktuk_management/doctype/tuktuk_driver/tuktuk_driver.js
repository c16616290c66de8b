// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Driver", {
	refresh(frm) {
		// Balances are changed only by payments, the daily close and reconciliation.
		frm.set_df_property("balance_section", "description", __("Read-only: changed by the ledger, never by this form"));
		if (frm.is_new()) return;
		frm.add_custom_button(__("Reconcile Balance"), () => {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.reconcile_driver_balance",
				args: { driver_name: frm.doc.name },
				freeze: true,
				callback: (r) => {
					const res = r.message || {};
					frappe.msgprint({
						title: __("Balance Reconciliation"),
						indicator: Number(res.discrepancy) ? "orange" : "green",
						message: __("Current balance {0}, calculated {1}, discrepancy {2} ({3} transactions)", [
							format_currency(res.old_balance), format_currency(res.calculated_balance),
							format_currency(res.discrepancy), res.transactions_count,
						]),
					});
				},
			});
		}, __("Balance"));
		frm.add_custom_button(__("Download Statement"), () => download_statement(frm), __("Balance"));
		frm.add_custom_button(__("Transactions"), () => {
			frappe.set_route("List", "TukTuk Transaction", { driver: frm.doc.name });
		}, __("View"));
	},
	driver_first_name: (frm) => set_full_name(frm),
	driver_last_name: (frm) => set_full_name(frm),
});

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
