app_name = "tuktuk_bench"
app_title = "TukTuk Bench"
app_publisher = "tuktuk_management benchmarks"
app_description = (
	"Benchmark-only fixture app: the framework floor and the reference's code paths as whitelisted methods"
)
app_email = "bench@example.com"
app_license = "MIT"
