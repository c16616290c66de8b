"""Prepare the real bench's served site for the side-by-side benchmark (run with the bench's python, from its
sites/ folder, PYTHONPATH=<this checkout>):

    ../env/bin/python -m benchmarks.realbench_setup SITE N

Sets the TukTuk Settings the benchmark assumes (callbacks from anywhere for paybill 600000, payouts held, a
50% split), makes N fare-50% drivers with their vehicles (tuktuk_management.tests.utils.make_split_driver),
and prints one JSON line: {"drivers": [[driver, account], ...], "token": the callback secret}."""

import json
import sys


def main(site, count):
	import frappe

	frappe.init(site, ".")
	frappe.connect()
	try:
		from tuktuk_management.tests.utils import (
			SERVED_C2B_SETTINGS,
			account_of,
			apply_settings,
			callback_token,
			make_split_driver,
		)

		apply_settings(SERVED_C2B_SETTINGS)
		drivers = []
		for _ in range(int(count)):
			d = make_split_driver()
			drivers.append([d.name, account_of(d)])
		frappe.db.commit()
		print(json.dumps({"drivers": drivers, "token": callback_token()}))
	finally:
		frappe.destroy()


if __name__ == "__main__":
	main(*sys.argv[1:3])
