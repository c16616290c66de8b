"""Constants shared by the payout rig (conftest) and its tests."""

CONSUMER_KEY, CONSUMER_SECRET = "tuktuk-key", "tuktuk-secret"
INITIATOR, INITIATOR_PASSWORD = "tuktuk_api", "Safaricom999!*!"
B2C_SHORTCODE, PAYBILL = "600997", "600984"
PAYOUT, INBOX, LEDGER = "TukTuk Payout", "TukTuk Callback", "TukTuk Transaction"
# "payments made by the simulator" per scenario, printed at the end of the run.
PAYMENTS_REPORT = []
