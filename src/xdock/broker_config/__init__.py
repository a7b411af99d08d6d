"""Broker config for one site made from the protocol's topic table: Mosquitto's ACL, password file and conf.

``xdock broker-config`` writes them with :func:`write_broker_config`; see ``docs/broker-config.md``.
"""

from xdock.broker_config.acl import grants, render_acl
from xdock.broker_config.conf import BrokerSettings, render_conf
from xdock.broker_config.doc_table import markdown_table
from xdock.broker_config.passwd import hash_password, new_password, render_passwd
from xdock.broker_config.users import CENTRAL_USER, BrokerUsers, UsersError
from xdock.broker_config.writer import FILES, BrokerConfigError, Written, read_credentials, write_broker_config

__all__ = [
    "CENTRAL_USER",
    "FILES",
    "BrokerConfigError",
    "BrokerSettings",
    "BrokerUsers",
    "UsersError",
    "Written",
    "grants",
    "hash_password",
    "markdown_table",
    "new_password",
    "read_credentials",
    "render_acl",
    "render_conf",
    "render_passwd",
    "write_broker_config",
]
