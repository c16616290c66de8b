// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.listview_settings["TukTuk Driver"] = {
	add_fields: ["status", "left_to_target"],
	get_indicator(doc) {
		if (doc.status !== "Active") return [__("Inactive"), "gray", "status,=,Inactive"];
		if (flt(doc.left_to_target) <= 0) return [__("Target Met"), "green", "left_to_target,<=,0"];
		return [__("Active"), "blue", "status,=,Active"];
	},
};
