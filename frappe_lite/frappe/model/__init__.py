# Model constants, as frappe/model/__init__.py (v15).

data_fieldtypes = (
	"Currency",
	"Int",
	"Long Int",
	"Float",
	"Percent",
	"Check",
	"Small Text",
	"Long Text",
	"Code",
	"Text Editor",
	"Markdown Editor",
	"HTML Editor",
	"Date",
	"Datetime",
	"Time",
	"Text",
	"Data",
	"Link",
	"Dynamic Link",
	"Password",
	"Select",
	"Rating",
	"Read Only",
	"Attach",
	"Attach Image",
	"Signature",
	"Color",
	"Barcode",
	"Geolocation",
	"Duration",
	"Icon",
	"Phone",
	"Autocomplete",
	"JSON",
)
float_like_fields = ("Float", "Currency", "Percent", "Duration")
datetime_fields = ("Datetime", "Date", "Time")
attachment_fieldtypes = ("Attach", "Attach Image")
no_value_fields = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Table",
	"Table MultiSelect",
	"Button",
	"Image",
	"Fold",
	"Heading",
)
display_fieldtypes = (
	"Section Break",
	"Column Break",
	"Tab Break",
	"HTML",
	"Button",
	"Image",
	"Fold",
	"Heading",
)
numeric_fieldtypes = ("Currency", "Int", "Long Int", "Float", "Percent", "Check")
table_fields = ("Table", "Table MultiSelect")
default_fields = ("doctype", "name", "owner", "creation", "modified", "modified_by", "docstatus", "idx")
child_table_fields = ("parent", "parentfield", "parenttype")
optional_fields = ("_user_tags", "_comments", "_assign", "_liked_by", "_seen")
core_doctypes_list = (
	"DocType",
	"DocField",
	"DocPerm",
	"User",
	"Role",
	"Has Role",
	"Error Log",
	"Comment",
	"Version",
	"System Settings",
	"DefaultValue",
)
log_types = ("Version", "Error Log", "Scheduled Job Log", "Comment")
