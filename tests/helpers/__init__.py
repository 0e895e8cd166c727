"""Helpers the tests of several folders import (tests/ is on pytest's pythonpath)."""
