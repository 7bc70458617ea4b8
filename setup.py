# For scrapyd-deploy only (`scrapyd-deploy --build-egg cbecwatch.egg`): it builds the egg with
# `setup.py bdist_egg` and would otherwise write a setup.py of its own. Everything is in pyproject.toml.
from setuptools import setup

setup()
