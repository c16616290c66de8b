app_name = "fixture_app"
app_title = "Fixture App"
app_publisher = "frappe_lite tests"
app_description = "Fixture for frappe_lite's CLI, job and scheduler tests"
app_email = "tests@example.com"
app_license = "MIT"

scheduler_events = {
	"cron": {
		"0 0 1 1 *": ["fixture_app.jobs.yearly_cron"],
	},
	"daily": ["fixture_app.jobs.daily_job"],
	"hourly_long": ["fixture_app.jobs.hourly_long_job"],
}

before_tests = ["fixture_app.jobs.before_tests"]
