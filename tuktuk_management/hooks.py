app_name = "tuktuk_management"
app_title = "TukTuk Management"
app_publisher = "TukTuk Management Developers"
app_description = (
	"TukTuk fleet management: M-Pesa C2B crediting under row locks, B2C payouts and balance reconciliation"
)
app_email = "dev@tuktuk.example"
app_license = "MIT"
required_apps = []

# Shipped roles: only our own, never the whole Role table.
fixtures = [{"dt": "Role", "filters": [["name", "in", ["TukTuk Manager"]]]}]

# Generates the per-site callback secret and seeds TukTuk Settings defaults.
after_install = "tuktuk_management.install.after_install"
after_migrate = "tuktuk_management.install.after_migrate"

# No Error Log keeps the callback secret (it travels in the callback URLs' query string).
doc_events = {"Error Log": {"before_insert": "tuktuk_management.redact.scrub_error_log"}}

scheduler_events = {
	# Payout outbox: queued and due-for-retry B2C payouts (Frappe's "all" tick, every few minutes).
	"all": ["tuktuk_management.payouts.outbox.retry_due_payouts"],
	"cron": {
		# Daily close at the start of the business day. 06:00 in the site time zone matches the default
		# TukTuk Settings.operating_hours_start; if you move the business-day start, move this cron with it.
		"0 6 * * *": ["tuktuk_management.daily_close.run_daily_close"],
		# Scheduled reconciliation: reports discrepancies; fixes only when auto_fix_on_schedule is on.
		"0 */4 * * *": ["tuktuk_management.reconciliation.scheduled_reconciliation"],
		# Sites upgraded from the original app: ask M-Pesa again about token-less payments whose check got
		# no answer (their payouts wait On Hold until M-Pesa confirms them).
		"*/15 * * * *": ["tuktuk_management.upgrade.verification.retry_unanswered_verifications"],
		# Every callback kept or swept: confirmations left Received/Failed (a killed worker, a database
		# outage) are replayed exactly once; what cannot be finished raises an Error Log and a health FAIL.
		"*/5 * * * *": ["tuktuk_management.sweep.sweep_callbacks"],
		# The ledger against M-Pesa's own record of the last day's payments (off unless TukTuk Settings
		# daily_mpesa_record_check is on); differences go to the Error Log and the health check.
		"30 6 * * *": ["tuktuk_management.paybill_record.daily_check"],
	},
}
