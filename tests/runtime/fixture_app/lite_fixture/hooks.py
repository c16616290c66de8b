app_name = "lite_fixture"
app_title = "Lite Fixture"
app_publisher = "tests"
app_description = "DocTypes that exercise frappe_lite's data layer"
app_license = "MIT"

after_install = "lite_fixture.events.after_install"
before_migrate = "lite_fixture.events.before_migrate"
after_migrate = "lite_fixture.events.after_migrate"
doc_events = {
	"LF Item": {"validate": "lite_fixture.events.log_event", "on_update": "lite_fixture.events.log_event"},
	"*": {"after_insert": "lite_fixture.events.log_star"},
}
