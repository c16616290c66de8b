app_name = "http_fixture"
app_title = "HTTP Fixture"
app_publisher = "tuktuk_management tests"
app_description = "A tiny Frappe app whose whitelisted methods and pages exercise frappe_lite's HTTP layer"
app_email = "tests@example.com"
app_license = "MIT"

after_install = "http_fixture.install.after_install"

override_whitelisted_methods = {"http_fixture.api.overridden": "http_fixture.api.override_target"}
