// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.query_reports["Payouts Needing Attention"] = {
	filters: [],
	formatter(value, row, column, data, default_formatter) {
		value = default_formatter(value, row, column, data);
		if (column.fieldname === "status" && data) {
			const color = { Failed: "red", Unknown: "orange", Sent: "orange", Queued: "blue", "On Hold": "gray" }[data.status];
			if (color) value = `<span class="indicator-pill ${color}">${value}</span>`;
		}
		return value;
	},
};
