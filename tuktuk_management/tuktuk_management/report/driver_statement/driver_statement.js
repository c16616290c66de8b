// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.query_reports["Driver Statement"] = {
	filters: [
		{ fieldname: "driver", label: __("Driver"), fieldtype: "Link", options: "TukTuk Driver", reqd: 1 },
		{ fieldname: "from_date", label: __("From Period"), fieldtype: "Date", description: __("Empty: the open period") },
		{ fieldname: "to_date", label: __("To Period"), fieldtype: "Date" },
	],
};
