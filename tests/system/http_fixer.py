"""The fixer process of the fix-racing-payments test (test_reconciliation_races.py), for any target:

    python http_fixer.py TARGET_SPEC_JSON DRIVER STOP_FILE

Loops until STOP_FILE exists: corrupt the driver's balance by a direct, committed database write (a lost
update, as the baseline suffered; there is no API for that), then ask the app to fix it over HTTP as the
manager (``fix_driver_balance``, auto_fix: screen, lock, recompute, set, commit). It always ends on a fix.
Prints one JSON line: rounds, fixes (replies with fixed=true), errors."""

import json
import os
import sys
import time

from tests.helpers.target import Remote

FIX = "tuktuk_management.api.tuktuk.fix_driver_balance"


def main(spec, driver, stop_file):
	target = Remote(json.loads(spec))
	rounds = fixes = 0
	errors = []
	while True:
		stopping = os.path.exists(stop_file)
		if not stopping:
			target.write_sql(
				"UPDATE `tabTukTuk Driver` SET current_balance = current_balance + 7 WHERE name = %s",
				(driver,),
			)
		reply = target.method(FIX, http="POST", driver_name=driver, auto_fix=1)
		rounds += 1
		if reply.status_code == 200:
			fixes += bool(reply.json()["message"].get("fixed"))
		else:
			errors.append(f"HTTP {reply.status_code} {reply.text[:300]}")
		if stopping:
			break
		time.sleep(0.005)
	return {"rounds": rounds, "fixes": fixes, "errors": errors}


if __name__ == "__main__":
	print(json.dumps(main(*sys.argv[1:4])), flush=True)
