"""The driver-vehicle assignment is stored on the driver only (TukTuk Driver.assigned_tuktuk); it used to be
kept on both sides, TukTuk Vehicle.assigned_driver in step. A site migrated from then still has the vehicle's
column (Frappe never drops one): copy any pairing the driver side lacks, so no account loses its driver."""

import frappe

DRIVER, VEHICLE = "TukTuk Driver", "TukTuk Vehicle"


def execute():
	if not frappe.db.has_column(VEHICLE, "assigned_driver"):
		return
	pairs = frappe.db.sql(
		f"""select name, assigned_driver from `tab{VEHICLE}`
		where assigned_driver is not null and assigned_driver != ''
		order by modified desc"""
	)
	copy_assignments(pairs)


def copy_assignments(pairs) -> list[tuple[str, str]]:
	"""Give each (vehicle, driver) pair to the driver when neither side is taken on the driver side already
	(a driver with another vehicle, or a vehicle another driver has, is left as the driver side says).
	Returns the pairs copied."""
	copied = []
	for vehicle, driver in pairs:
		if not frappe.db.exists(DRIVER, driver) or frappe.db.get_value(DRIVER, driver, "assigned_tuktuk"):
			continue
		if frappe.db.exists(DRIVER, {"assigned_tuktuk": vehicle}):
			continue
		frappe.db.set_value(DRIVER, driver, "assigned_tuktuk", vehicle, update_modified=False)
		copied.append((vehicle, driver))
	return copied
