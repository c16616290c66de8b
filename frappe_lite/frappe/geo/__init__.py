# The Currency data v15 installs from frappe/geo/country_info.json (symbol, fraction units), as data:
# frappe_lite has no Currency DocType; fmt_money reads the symbol from currency_info.json.
