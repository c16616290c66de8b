"""Benchmarks for tuktuk_management on frappe_lite: `make bench` (python -m benchmarks). See README.md.

Every figure is reported beside a baseline measured in the same run; nothing here asserts on time."""
