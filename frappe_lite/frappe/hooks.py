app_name = "frappe"
app_title = "Frappe Framework (lite)"
app_publisher = "tuktuk_management developers"
app_description = "A small, faithful runtime for the slice of Frappe v15 that tuktuk_management uses"
app_license = "MIT"

# Documents whose links never stop a deletion (frappe/hooks.py; those of Frappe's list frappe_lite has):
# delete_dynamic_links removes them after the commit.
ignore_links_on_delete = ["Version", "Comment"]
