// Copyright (c) 2026, TukTuk Management Developers
// For license information, please see license.txt

frappe.ui.form.on("TukTuk Transaction", {
	refresh(frm) {
		// Ledger rows are written by the crediting code; money fields never change once recorded.
		if (!frm.is_new()) {
			["transaction_id", "driver", "amount", "driver_share", "target_contribution", "balance_period"].forEach(
				(f) => frm.set_df_property(f, "read_only", 1)
			);
		}
	},
});
