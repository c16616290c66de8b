# Installs only the tuktuk_management app (frappe_lite and mpesa_sandbox are never shipped with it:
# a bench that installs this app must not get a second `frappe`).
from setuptools import find_packages, setup

setup(
	name="tuktuk_management",
	packages=find_packages(include=["tuktuk_management", "tuktuk_management.*"]),
	include_package_data=True,
	zip_safe=False,
)
