"""Upgrading a site from the original tuktuk_management (yudamedia/tuktuk-management): what keeps working
after ``bench migrate`` (docs/upgrading.md). The migration itself is in ``tuktuk_management/patches/v2_0``;
here is what runs afterwards: callbacks on the original's token-less URLs (``original_callbacks``), the
M-Pesa check before a payout of such a payment leaves (``verification``), and the results of B2C payments
the original sent (``original_results``)."""
