"""Runs the in-process scenarios on one site and writes their typed, normalised results as JSON.

The same file runs under frappe_lite's python and under a real bench's python (`env/bin/python`, from the
bench's `sites/` folder): it needs only `frappe` and the probe app importable.

    python tests/conformance/probe.py --sites-path SITES --site SITE --out results.json [--only NAME ...]

Each scenario runs as Administrator with an empty message log, then everything it wrote is rolled back.
A result records what the scenario returned (or the exception it raised) and the messages it left."""

import argparse
import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "probe_app"))

import typed  # noqa: E402


def run(site, sites_path, only=()):
	import frappe

	frappe.init(site, sites_path=sites_path)
	frappe.connect()
	# a module map cached by another process of the bench may predate the probe app's install (then every
	# probe DocType fails with "Module import failed"): start each run from a cleared cache, on both sides
	frappe.clear_cache()
	import scenarios

	scenarios.TAG = frappe.generate_hash(length=8)
	tag = {scenarios.TAG: "<tag>", frappe.conf.db_name or site: "<db>"}
	results = {}
	try:
		for area, name, fn in scenarios.SCENARIOS:
			if only and name not in only:
				continue
			frappe.set_user("Administrator")
			frappe.local.message_log = []
			frappe.flags.probe_events = None
			frappe.flags.probe_hash_names = []
			entry = {"area": area}
			try:
				result = fn()
			except Exception as e:
				result, raised = None, e
			else:
				raised = None
			# the hash names of the Probe Records this scenario made, wherever they show
			names = {name: "<hash>" for name in frappe.flags.probe_hash_names or ()}
			repl = {**tag, **names}
			if raised is None:
				entry["result"] = typed.encode(result, repl)
			else:
				entry["raised"] = typed.describe_exception(raised, repl)
			entry["messages"] = typed.encode([_message(m) for m in frappe.local.message_log], repl)
			try:
				frappe.db.rollback()
			except Exception as e:  # a broken connection would make every later result meaningless
				entry["rollback_failed"] = typed.describe_exception(e, tag)
				frappe.connect()
			results[name] = entry
	finally:
		frappe.destroy()
	return results


HTTP_USERS = {
	"manager": ("probe-manager@probe.example", "System Manager"),
	"reader": ("probe-reader@probe.example", "Probe Reader"),
	"plain": ("probe-plain@probe.example", None),
}
HTTP_PASSWORD = "Probe-Password-1"


def setup_http(site, sites_path):
	"""The HTTP scenarios' users (idempotent): each with a password and a fresh API key/secret; committed.
	Returns {kind: {"user", "password", "api_key", "api_secret"}}."""
	import frappe
	from frappe.utils.password import update_password

	frappe.init(site, sites_path=sites_path)
	frappe.connect()
	out = {}
	try:
		for kind, (email, role) in HTTP_USERS.items():
			if not frappe.db.exists("User", email):
				user = frappe.get_doc(
					{"doctype": "User", "email": email, "first_name": kind.title(), "send_welcome_email": 0}
				)
				if role:
					user.append("roles", {"role": role})
				user.insert(ignore_permissions=True)
			user = frappe.get_doc("User", email)
			user.api_key = frappe.generate_hash(length=15)
			secret = frappe.generate_hash(length=15)
			user.api_secret = secret
			user.save(ignore_permissions=True)
			update_password(email, HTTP_PASSWORD)
			out[kind] = {
				"user": email,
				"password": HTTP_PASSWORD,
				"api_key": user.api_key,
				"api_secret": secret,
			}
		frappe.db.commit()
	finally:
		frappe.destroy()
	return out


def _message(m):
	"""A message-log entry: Frappe keeps dicts; only the keys app code and clients read."""
	if isinstance(m, dict):
		return {k: m.get(k) for k in ("message", "title", "indicator", "raise_exception") if k in m}
	return m


def main(argv=None):
	parser = argparse.ArgumentParser()
	parser.add_argument("--sites-path", required=True)
	parser.add_argument("--site", required=True)
	parser.add_argument("--out", required=True)
	parser.add_argument(
		"--setup-http", action="store_true", help="make the HTTP users; write their credentials"
	)
	parser.add_argument("--only", nargs="*", default=())
	args = parser.parse_args(argv)
	if args.setup_http:
		Path(args.out).write_text(json.dumps(setup_http(args.site, args.sites_path)))
		return
	results = run(args.site, args.sites_path, set(args.only))
	Path(args.out).write_text(json.dumps(results, indent=1, sort_keys=True) + "\n")
	print(f"probe: {len(results)} scenarios -> {args.out}")


if __name__ == "__main__":
	main()
