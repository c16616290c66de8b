app_name = "conformance_probe"
app_title = "Conformance Probe"
app_publisher = "tuktuk_management tests"
app_description = (
	"DocTypes, hooks and whitelisted methods the conformance suite compares on frappe_lite and Frappe"
)
app_email = "dev@tuktuk.example"
app_license = "MIT"

after_install = "conformance_probe.events.after_install"

doc_events = {
	"Probe Record": {
		"validate": "conformance_probe.events.record_event",
		"on_update": "conformance_probe.events.record_event",
		"after_insert": "conformance_probe.events.record_event",
		"on_trash": "conformance_probe.events.record_event",
	},
	"Probe Category": {"before_insert": "conformance_probe.events.record_event"},
}

scheduler_events = {
	"hourly": ["conformance_probe.events.scheduled_tick"],
	"cron": {"*/10 * * * *": ["conformance_probe.events.scheduled_tick"]},
}

override_whitelisted_methods = {"conformance_probe.api.overridden": "conformance_probe.api.override_target"}
