"""Fixtures of the screens' server-side tests (see :mod:`web_rig`)."""

from web_rig import http, hub, service

__all__ = ["http", "hub", "service"]
