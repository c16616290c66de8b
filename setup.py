# A thin shim for tools that still call setup.py: all package metadata is in pyproject.toml.
from setuptools import setup

setup()
