// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.listview_settings["TukTuk Callback"] = {
	add_fields: ["status", "callback_type"],
	get_indicator(doc) {
		const colors = {
			Received: "blue", Processed: "green", Duplicate: "gray",
			Uncaptured: "orange", Rejected: "red", Failed: "red",
		};
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
