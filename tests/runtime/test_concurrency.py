"""Real processes racing on one site: unique series names, serialised writers, no lost increments."""

import json
import os
import subprocess
import sys

from tests.runtime.conftest import FIXTURE_APP_PATH

WORKER = r"""
import json, sys, time
import frappe
site, sites_path, mode, n = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
frappe.init(site, sites_path); frappe.connect()
names, retries = [], 0
for i in range(n):
    while True:
        try:
            if mode == "series":
                names.append(frappe.get_doc({"doctype": "LF Item", "title": f"p{i}"}).insert().name)
            else:
                row = frappe.db.sql("select amount from `tabLF Hash` where name='counter' for update")
                frappe.db.sql("update `tabLF Hash` set amount = %s where name='counter'", (row[0][0] + 1,))
            frappe.db.commit()
            break
        except (frappe.QueryDeadlockError, frappe.QueryTimeoutError):
            # what Frappe's job runner does: roll back and retry the unit of work
            frappe.db.rollback(); retries += 1; time.sleep(0.01)
print(json.dumps({"names": names, "retries": retries}))
frappe.destroy()
"""


def spawn(site, mode, n, procs):
	env = dict(os.environ, PYTHONPATH=FIXTURE_APP_PATH)
	children = [
		subprocess.Popen(
			[sys.executable, "-c", WORKER, site.name, site.sites_path, mode, str(n)],
			stdout=subprocess.PIPE,
			stderr=subprocess.PIPE,
			text=True,
			env=env,
		)
		for _ in range(procs)
	]
	results = []
	for child in children:
		out, err = child.communicate(timeout=240)
		assert child.returncode == 0, err
		results.append(json.loads(out.strip().splitlines()[-1]))
	return results


def test_eight_processes_get_unique_series_names(lite_site):
	with lite_site.connect() as frappe:
		# the counter row exists, as on any site that has named one document
		frappe.get_doc({"doctype": "LF Item", "title": "seed"}).insert()
		frappe.db.commit()
	results = spawn(lite_site, "series", 15, 8)
	names = [n for r in results for n in r["names"]]
	assert len(names) == 120 and len(set(names)) == 120
	with lite_site.connect() as frappe:
		assert frappe.db.count("LF Item", {"title": ("like", "p%")}) == 120


def test_read_modify_write_under_for_update_loses_nothing(lite_site):
	"""Four processes × 50 read-then-write increments under FOR UPDATE: every one counts (writers serialise)."""
	with lite_site.connect() as frappe:
		frappe.db.sql("delete from `tabLF Hash` where name='counter'")
		frappe.db.sql("insert into `tabLF Hash` (name, title, amount) values ('counter', 'counter', 0)")
		frappe.db.commit()
	results = spawn(lite_site, "counter", 50, 4)
	with lite_site.connect() as frappe:
		assert frappe.db.get_value("LF Hash", "counter", "amount") == 200
	print("retries:", sum(r["retries"] for r in results))
