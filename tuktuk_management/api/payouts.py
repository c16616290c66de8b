"""Whitelisted B2C payout endpoints: result and timeout callbacks, held payout release, C2B URL
registration (owned by the B2C engineer).

Re-exported by ``tuktuk_management.api.tuktuk`` so that the documented dotted paths
(``tuktuk_management.api.tuktuk.b2c_result`` and friends) keep working."""
