// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.query_reports["Driver Statement"] = {
	filters: [
		// Not reqd: v15 throws "Filter missing" from a route that sets the driver after the first refresh;
		// without a driver the report is simply empty.
		{ fieldname: "driver", label: __("Driver"), fieldtype: "Link", options: "TukTuk Driver" },
		{ fieldname: "from_date", label: __("From Period"), fieldtype: "Date", description: __("Empty: the open period") },
		{ fieldname: "to_date", label: __("To Period"), fieldtype: "Date" },
	],
};
