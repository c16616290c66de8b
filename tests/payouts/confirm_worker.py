"""A confirmation processed by a process that dies at a chosen point:
`python confirm_worker.py SITE SITES_PATH BODY_FILE POINT`.

POINT: after_store (the body is stored and committed, nothing credited), before_commit (the credit is written
but not committed), after_commit (credited and committed, the reply never sent), waiting (no death here: the
test kills the process while it waits on a lock), lock_timeout (MariaDB: this connection's lock waits time
out after 1 s, so a held driver lock outlasts the credit's retries), none. Without a death the reply is
printed as JSON on the last line."""

import json
import os
import sys

import frappe

site, sites_path, body_file, point = sys.argv[1:5]
frappe.init(site, sites_path=sites_path)
frappe.connect()

from tuktuk_management import c2b, inbox, ledger  # noqa: E402
from tuktuk_management.inbox import Received  # noqa: E402
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import (  # noqa: E402
	get_settings,
)


def dying_after(function):
	def wrapper(*args, **kwargs):
		result = function(*args, **kwargs)
		os._exit(9)
		return result

	return wrapper


if point == "after_store":
	inbox.store_callback = dying_after(inbox.store_callback)
elif point == "before_commit":
	ledger.credit = dying_after(ledger.credit)
elif point == "after_commit":
	c2b.process_payment = dying_after(c2b.process_payment)
elif point == "lock_timeout":
	frappe.db.sql("set session innodb_lock_wait_timeout = 1")

with open(body_file) as f:
	text = f.read()
reply = c2b.handle_confirmation(Received.parse(text), get_settings())
frappe.db.commit()
print(json.dumps(reply, default=str))
