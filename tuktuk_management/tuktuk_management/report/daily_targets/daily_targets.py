# Copyright (c) 2026, TukTuk Management Developers
# For license information, please see license.txt
"""Daily Targets: per driver per business day (balance period), what the driver earned, what went to the
owner's target, the target, and whether it was met. Closed days take target and outcome from their Daily
Close record; the open day compares the contributions so far with the driver's target ("Open")."""

import frappe
from frappe import _
from frappe.utils import add_days, getdate, today

from tuktuk_management.kes import CURRENCY_COLUMN, in_kes, money_column
from tuktuk_management.money import ZERO, to_money
from tuktuk_management.split import effective_daily_target
from tuktuk_management.tuktuk_management.doctype.tuktuk_settings.tuktuk_settings import get_settings


def execute(filters=None):
	filters = frappe._dict(filters or {})
	end = getdate(filters.to_date or today())
	start = getdate(filters.from_date or add_days(end, -6))
	rows = get_data(start, end, filters.driver or None)
	return get_columns(), in_kes(rows), None, chart(rows)


def get_data(start, end, driver=None):
	values = {"start": start, "end": end, "driver": driver}
	only = " AND driver = %(driver)s" if driver else ""
	earned = frappe.db.sql(
		f"""SELECT driver, balance_period, COUNT(name) AS payments, COALESCE(SUM(amount), 0) AS earned,
			COALESCE(SUM(target_contribution), 0) AS contributed
		FROM `tabTukTuk Transaction`
		WHERE payment_status = 'Completed' AND balance_period BETWEEN %(start)s AND %(end)s{only}
		GROUP BY driver, balance_period""",
		values,
		as_dict=True,
	)
	closes = frappe.db.sql(
		f"""SELECT driver, balance_period, daily_target, target_met FROM `tabTukTuk Daily Close`
		WHERE balance_period BETWEEN %(start)s AND %(end)s{only}""",
		values,
		as_dict=True,
	)
	drivers = {
		d.name: d
		for d in frappe.get_all(
			"TukTuk Driver", fields=["name", "driver_name", "daily_target", "balance_period"]
		)
	}
	global_target = get_settings().global_target
	days = {}
	for r in earned:
		days[(r.driver, getdate(r.balance_period))] = {
			"payments": int(r.payments),
			"earned": to_money(r.earned),
			"contributed": to_money(r.contributed),
		}
	for c in closes:
		day = days.setdefault(
			(c.driver, getdate(c.balance_period)), {"payments": 0, "earned": ZERO, "contributed": ZERO}
		)
		day["target"], day["met"] = to_money(c.daily_target), bool(c.target_met)
	rows = []
	for (name, period), day in sorted(days.items(), key=lambda item: (item[0][1], item[0][0]), reverse=True):
		info = drivers.get(name) or frappe._dict()
		is_open = info.balance_period and getdate(info.balance_period) == period
		target = day.get("target")
		if target is None:
			target = effective_daily_target(info.daily_target, global_target)
		if "met" in day:
			outcome = _("Met") if day["met"] else _("Missed")
		elif is_open:
			outcome = _("Met") if day["contributed"] >= target else _("Open")
		else:
			outcome = _("Met") if day["contributed"] >= target else _("Missed")
		rows.append(
			{
				"balance_period": period,
				"driver": name,
				"driver_name": info.driver_name,
				"payments": day["payments"],
				"earned": day["earned"],
				"contributed": day["contributed"],
				"target": target,
				"left": max(to_money(target - day["contributed"]), ZERO),
				"outcome": outcome,
			}
		)
	return rows


def chart(rows):
	if not rows:
		return None
	periods = sorted({r["balance_period"] for r in rows})
	met = [sum(1 for r in rows if r["balance_period"] == p and r["outcome"] == _("Met")) for p in periods]
	missed = [
		sum(1 for r in rows if r["balance_period"] == p and r["outcome"] == _("Missed")) for p in periods
	]
	return {
		"data": {
			"labels": [str(p) for p in periods],
			"datasets": [{"name": _("Met"), "values": met}, {"name": _("Missed"), "values": missed}],
		},
		"type": "bar",
		"colors": ["#29CD42", "#E24C4C"],
	}


def get_columns():
	return [
		{"fieldname": "balance_period", "label": _("Day"), "fieldtype": "Date", "width": 100},
		{
			"fieldname": "driver",
			"label": _("Driver"),
			"fieldtype": "Link",
			"options": "TukTuk Driver",
			"width": 120,
		},
		{"fieldname": "driver_name", "label": _("Name"), "fieldtype": "Data", "width": 160},
		{"fieldname": "payments", "label": _("Payments"), "fieldtype": "Int", "width": 90},
		money_column("earned", _("Earned")),
		money_column("contributed", _("To Target")),
		money_column("target", _("Target")),
		money_column("left", _("Left")),
		{"fieldname": "outcome", "label": _("Target"), "fieldtype": "Data", "width": 90},
		CURRENCY_COLUMN,
	]
