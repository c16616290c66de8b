"""Writes the probe app's DocType JSON files (run once by hand; the JSON is committed). Kept so the
definitions stay readable in one place."""

import json
from pathlib import Path

APP = Path(__file__).parent / "conformance_probe" / "conformance_probe" / "doctype"
PERMS = [
	{
		"role": "System Manager",
		"read": 1,
		"write": 1,
		"create": 1,
		"delete": 1,
		"report": 1,
		"export": 1,
		"share": 1,
		"print": 1,
		"email": 1,
	},
	{"role": "Probe Reader", "read": 1, "write": 0, "create": 0, "delete": 0, "report": 1},
]


def f(fieldname, fieldtype, **kw):
	return {
		"fieldname": fieldname,
		"fieldtype": fieldtype,
		"label": fieldname.replace("_", " ").title(),
		**kw,
	}


DOCTYPES = {
	"Probe Category": dict(
		autoname="field:category_name",
		allow_rename=1,
		fields=[f("category_name", "Data", reqd=1, unique=1), f("rank", "Int")],
		permissions=PERMS,
	),
	"Probe Item": dict(
		istable=1,
		fields=[
			f("item_name", "Data", reqd=1),
			f("qty", "Int", default="1"),
			f("rate", "Currency"),
			f("amount", "Currency"),
		],
		permissions=[],
	),
	"Probe Record": dict(
		autoname="hash",
		title_field="title",
		track_changes=1,
		sort_field="modified",
		sort_order="DESC",
		fields=[
			f("title", "Data"),
			f("data_field", "Data", default="hello"),
			f("int_field", "Int", default="7"),
			f("float_field", "Float", default="1.5"),
			f("currency_field", "Currency", default="12.5"),
			f("percent_field", "Percent"),
			f("check_field", "Check", default="1"),
			f("date_field", "Date", default="Today"),
			f("datetime_field", "Datetime"),
			f("time_field", "Time", default="06:00:00"),
			f("select_field", "Select", options="Alpha\nBeta"),
			f("status", "Select", options="\nOpen\nClosed", default="Open"),
			f("category", "Link", options="Probe Category"),
			f("ref_doctype", "Link", options="DocType"),
			f("ref_name", "Dynamic Link", options="ref_doctype"),
			f("small_text", "Small Text"),
			f("long_text", "Long Text"),
			f("code_field", "Code"),
			f("secret", "Password"),
			f("unique_code", "Data", unique=1),
			f("balance", "Currency", non_negative=1),
			f("photo", "Attach Image"),
			f("location", "Geolocation"),
			f("stamped_at", "Datetime", default="now"),
			f("items", "Table", options="Probe Item"),
		],
		permissions=PERMS,
	),
	"Probe Strict": dict(
		autoname="format:PST-{####}",
		fields=[
			f("required_note", "Data", reqd=1),
			f("required_amount", "Currency", reqd=1),
			f("short", "Data", length=5),
			f("category", "Link", options="Probe Category"),
		],
		permissions=PERMS,
	),
	"Probe Series": dict(
		autoname="naming_series:",
		is_submittable=1,
		fields=[
			f("naming_series", "Select", options="PRS-.#####", default="PRS-.#####"),
			f("amount", "Currency"),
			f("note", "Data"),
		],
		permissions=[{**PERMS[0], "submit": 1, "cancel": 1, "amend": 1}, PERMS[1]],
	),
	"Probe Settings": dict(
		issingle=1,
		fields=[
			f("enabled", "Check", default="1"),
			f("threshold", "Int", default="5"),
			f("fee", "Currency", default="2.50"),
			f("ratio", "Float"),
			f("start_time", "Time", default="06:00:00"),
			f("label", "Data", default="probe"),
			f("mode", "Select", options="Fast\nSlow"),
			f("start_date", "Date"),
			f("api_secret", "Password"),
		],
		permissions=PERMS,
	),
}


def main():
	for name, spec in DOCTYPES.items():
		scrub = name.lower().replace(" ", "_")
		folder = APP / scrub
		folder.mkdir(parents=True, exist_ok=True)
		(folder / "__init__.py").write_text("")
		doc = {
			"doctype": "DocType",
			"name": name,
			"module": "Conformance Probe",
			"custom": 0,
			"engine": "InnoDB",
			"creation": "2026-12-05 07:00:00.000000",
			"modified": "2026-12-05 07:00:00.000000",
			"owner": "Administrator",
			"modified_by": "Administrator",
			**{k: v for k, v in spec.items() if k not in ("fields", "permissions")},
			"fields": spec["fields"],
			"field_order": [x["fieldname"] for x in spec["fields"]],
			"permissions": spec["permissions"],
		}
		(folder / f"{scrub}.json").write_text(json.dumps(doc, indent=1) + "\n")


if __name__ == "__main__":
	main()
