"""The split of a payment between the driver and the daily target: pure functions, no database.

Rules (DESIGN §4): with target sharing on and the target already met (balance >= target) the driver gets
100%; otherwise ``driver_share = amount x fare% / 100`` rounded to cents (half up) and
``target_contribution = amount - driver_share`` exactly, so the two always add up to the amount."""

from dataclasses import dataclass
from decimal import Decimal

from tuktuk_management.money import HUNDRED, ZERO, D, to_money

FOLLOW_GLOBAL, ENABLE, DISABLE = "Follow Global", "Enable", "Disable"


@dataclass(frozen=True)
class Split:
	amount: Decimal
	driver_share: Decimal
	target_contribution: Decimal
	fare_percentage: Decimal
	target_met: bool


def effective_fare_percentage(driver_percentage, global_percentage) -> Decimal:
	"""The driver's own fare percentage, or the global one when the driver's is 0/empty."""
	own = D(driver_percentage)
	return own if own > 0 else D(global_percentage)


def effective_daily_target(driver_target, global_target) -> Decimal:
	"""The driver's own daily target, or the global one when the driver's is 0/empty."""
	own = to_money(driver_target)
	return own if own > 0 else to_money(global_target)


def target_sharing_enabled(override, global_enabled) -> bool:
	"""The driver's target_sharing_override ("Enable"/"Disable") or, when "Follow Global"/empty, the global flag."""
	if override == ENABLE:
		return True
	if override == DISABLE:
		return False
	return bool(global_enabled)


def compute_split(amount, current_balance, daily_target, fare_percentage, target_sharing: bool) -> Split:
	"""Split ``amount`` given the driver's balance *as locked* and their effective target and fare %."""
	amount = to_money(amount)
	fare = D(fare_percentage)
	if not (Decimal(1) <= fare <= HUNDRED):
		raise ValueError(f"fare percentage must be between 1 and 100, got {fare}")
	target_met = to_money(current_balance) >= to_money(daily_target)
	if target_sharing and target_met:
		share = amount
	else:
		share = to_money(amount * fare / HUNDRED)
	return Split(amount, share, amount - share, fare, target_met)


def deposit_split(amount) -> Split:
	"""The whole amount to the balance (an uncaptured payment deposited as target contribution)."""
	amount = to_money(amount)
	return Split(amount, ZERO, amount, ZERO, False)
