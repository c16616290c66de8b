// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.listview_settings["TukTuk Transaction"] = {
	add_fields: ["payment_status"],
	get_indicator(doc) {
		const colors = { Completed: "green", Pending: "orange", Failed: "red", Reversed: "gray" };
		return [__(doc.payment_status), colors[doc.payment_status] || "gray", "payment_status,=," + doc.payment_status];
	},
};
