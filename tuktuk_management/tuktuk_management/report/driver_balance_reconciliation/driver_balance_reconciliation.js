// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.query_reports["Driver Balance Reconciliation"] = {
	filters: [
		{
			fieldname: "balance_period",
			label: __("Balance Period"),
			fieldtype: "Date",
			description: __("Empty: each driver's open period"),
		},
		{
			fieldname: "only_discrepancies",
			label: __("Only Discrepancies"),
			fieldtype: "Check",
			default: 0,
		},
	],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "discrepancy" && data && data.discrepancy) {
			value = `<span style="color: var(--red-600)">${value}</span>`;
		}
		return value;
	},
	onload(report) {
		report.page.add_inner_button(__("Reconcile All (report only)"), () => {
			frappe.call({
				method: "tuktuk_management.api.tuktuk.reconcile_all_drivers_balances",
				args: { auto_fix: 0 },
				freeze: true,
				callback: (r) => {
					frappe.msgprint(r.message.message);
					report.refresh();
				},
			});
		});
		report.page.add_inner_button(__("Fix All Discrepancies"), () => {
			frappe.confirm(__("Set every discrepant balance to its ledger total?"), () => {
				frappe.call({
					method: "tuktuk_management.api.tuktuk.reconcile_all_drivers_balances",
					args: { auto_fix: 1 },
					freeze: true,
					callback: (r) => {
						frappe.msgprint(r.message.message);
						report.refresh();
					},
				});
			});
		});
	},
};
