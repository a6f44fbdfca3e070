"""A shim for `scrapyd-deploy`, which builds the egg it uploads to Scrapyd with `setup.py bdist_egg`;
everything else about the package is in pyproject.toml."""

from setuptools import setup

setup()
