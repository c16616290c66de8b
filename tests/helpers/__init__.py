"""Helpers shared by the tests, the benchmarks and the demo. Modules here import neither pytest nor frappe
at module level unless their docstring says so (`make demo` imports tests.helpers.server)."""
