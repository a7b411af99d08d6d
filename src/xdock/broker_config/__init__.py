"""Broker config for one site made from the protocol's topic table: Mosquitto's ACL, password file and conf,
and with TLS the site's certificates (:mod:`xdock.broker_config.tls_files`, imported only when asked for).

``xdock broker-config`` writes them with :func:`write_broker_config`; see ``docs/broker-config.md``.
"""

from xdock.broker_config.acl import grants, render_acl
from xdock.broker_config.conf import BrokerSettings, render_conf
from xdock.broker_config.doc_table import markdown_table
from xdock.broker_config.passwd import hash_password, new_password, render_passwd
from xdock.broker_config.tls import DEFAULT_HOSTS, TlsListener, TlsSettings
from xdock.broker_config.users import CENTRAL_USER, BrokerUsers, UsersError
from xdock.broker_config.writer import (
    FILES,
    TLS_FOLDER,
    BrokerConfigError,
    Written,
    read_credentials,
    write_broker_config,
)

__all__ = [
    "CENTRAL_USER",
    "DEFAULT_HOSTS",
    "FILES",
    "TLS_FOLDER",
    "BrokerConfigError",
    "BrokerSettings",
    "BrokerUsers",
    "TlsListener",
    "TlsSettings",
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
