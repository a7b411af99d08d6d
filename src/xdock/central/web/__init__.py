"""The screens served by central: the supervisor's live dashboard and the dock worker's handheld page."""

from xdock.central.web.hub import LiveHub, Subscription
from xdock.central.web.router import web_router

__all__ = ["LiveHub", "Subscription", "web_router"]
