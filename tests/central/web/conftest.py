"""Fixtures of the screens' server-side tests (see :mod:`support.web_rig`)."""

from support.web_rig import central, http, hub, site

__all__ = ["central", "http", "hub", "site"]
