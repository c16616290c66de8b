# Shared constants of the database layer (frappe/database/utils.py in Frappe v15).

# `order_by` sentinel: "use the DocType's default ordering" (Frappe's DefaultOrderBy).
DefaultOrderBy = "KEEP_DEFAULT_ORDERING"

# what a missing Datetime compares as in filters (Frappe's FallBackDateTimeStr)
FallBackDateTimeStr = "0001-01-01 00:00:00.000000"
