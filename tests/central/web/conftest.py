"""Fixtures of the screens' server-side tests (see :mod:`support.web_rig`)."""

from support.web_rig import http, hub, service

__all__ = ["http", "hub", "service"]
