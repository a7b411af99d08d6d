"""Fixtures of the site core's tests that run over the screens' test site (see :mod:`support.web_rig`)."""

from support.web_rig import central, site

__all__ = ["central", "site"]
