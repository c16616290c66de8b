// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.query_reports["Uncaptured Payments"] = {
	filters: [],
	onload(report) {
		report.page.set_indicator(__("Open a callback to assign it to a driver"), "orange");
	},
};
