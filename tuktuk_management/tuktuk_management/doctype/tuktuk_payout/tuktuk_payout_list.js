// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.listview_settings["TukTuk Payout"] = {
	add_fields: ["status"],
	get_indicator(doc) {
		const colors = { Queued: "blue", "On Hold": "orange", Sent: "purple", Paid: "green", Failed: "red", Unknown: "yellow" };
		return [__(doc.status), colors[doc.status] || "gray", "status,=," + doc.status];
	},
};
