"""Fixtures of the browser tests (see :mod:`browser_rig`)."""

from browser_rig import browser, served

__all__ = ["browser", "served"]
