// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.listview_settings["TukTuk Driver"] = {
	add_fields: ["status", "left_to_target"],
	get_indicator(doc) {
		if (doc.status !== "Active") return [__("Inactive"), "gray", "status,=,Inactive"];
		if (flt(doc.left_to_target) <= 0) return [__("Target Met"), "green", "left_to_target,<=,0"];
		return [__("Active"), "blue", "status,=,Active"];
	},
	onload(listview) {
		if (!frappe.user.has_role(["TukTuk Manager", "System Manager"])) return;
		listview.page.add_inner_button(__("Reconcile All"), () => tuktuk_reconcile_all(listview));
	},
};

// Check every driver against the ledger; fix only when the manager ticks "Also fix" (sent as 0/1, and the
// server reads "0"/"false" as no: the original's check-only button fixed because "false" was truthy).
function tuktuk_reconcile_all(listview) {
	const dialog = new frappe.ui.Dialog({
		title: __("Reconcile All Drivers"),
		fields: [
			{
				fieldname: "auto_fix", fieldtype: "Check", label: __("Also fix discrepancies"), default: 0,
				description: __("Unticked: only check and record. Ticked: set each discrepant balance to its ledger total."),
			},
		],
		primary_action_label: __("Reconcile"),
		primary_action(values) {
			dialog.hide();
			frappe.call({
				method: "tuktuk_management.api.tuktuk.reconcile_all_from_desk",
				args: { auto_fix: values.auto_fix ? 1 : 0 },
				freeze: true,
				freeze_message: __("Reconciling..."),
				callback: (r) => {
					const res = r.message || {};
					if (res.queued) {
						frappe.msgprint({
							title: __("Reconcile All"), indicator: "blue",
							message: __("{0} drivers: running in the background; the progress bar and a message follow.", [res.total_drivers]),
						});
						return;
					}
					const rows = (res.discrepancies || []).map((d) => `<tr><td>${frappe.utils.escape_html(d.driver)}</td>
						<td>${frappe.utils.escape_html(d.driver_name || "")}</td>
						<td class="text-right">${format_currency(d.old_balance, "KES")}</td>
						<td class="text-right">${format_currency(d.calculated_balance, "KES")}</td>
						<td class="text-right">${format_currency(d.discrepancy, "KES")}</td>
						<td>${d.fixed ? __("fixed") : __("not fixed")}</td></tr>`).join("");
					frappe.msgprint({
						title: __("Reconcile All: Summary"),
						indicator: res.drivers_with_discrepancies ? "orange" : "green",
						message: `<p class="reconcile-summary">${frappe.utils.escape_html(res.message || "")}</p>` + (rows
							? `<table class="table table-bordered table-sm"><thead><tr><th>${__("Driver")}</th><th>${__("Name")}</th>
								<th>${__("Balance")}</th><th>${__("Ledger")}</th><th>${__("Discrepancy")}</th><th></th></tr></thead>
								<tbody>${rows}</tbody></table>`
							: ""),
						wide: true,
					});
					listview.refresh();
				},
			});
		},
	});
	dialog.show();
}
