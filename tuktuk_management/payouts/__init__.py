"""B2C payouts: the Daraja client (daraja), the outbox that sends each payout at most once (outbox), and
the handling of M-Pesa's Result, Timeout and Transaction Status callbacks (results)."""
