"""What ``xdock central`` runs with: :class:`CentralConfig`, the one place of its defaults.

A module of its own, light to import: the ``xdock central`` parser reads its defaults from it without
loading central's composition root (:mod:`xdock.central.app`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from xdock.central.api.limits import DEFAULT_MAX_BODY_BYTES
from xdock.central.site_file.config import SiteConfig
from xdock.central.telemetry import TelemetryConfig
from xdock.protocol.broker_url import BrokerUrl
from xdock.transport.broker import DEFAULT_LINK, BrokerLink

__all__ = ["DEFAULT_DB", "CentralConfig"]

DEFAULT_DB = Path("xdock-central.db")
"""The store ``xdock central`` and ``xdock central user`` open when given none (``--db``)."""


@dataclass(frozen=True)
class CentralConfig:
    """Everything ``xdock central`` needs, validated before anything starts."""

    site: SiteConfig
    """The validated site file."""
    broker: BrokerUrl
    """The MQTT broker edges publish to."""
    db: Path | str
    """The store holding pallets, applied scan keys and the event log: an SQLite file, or a
    ``postgresql://`` URL (see :mod:`xdock.central.store.connection`)."""
    db_password: str | None = field(default=None, repr=False)
    """The PostgreSQL user's password (``--db-password-file``), when libpq's own ways do not give it."""
    central_id: str | None = None
    """This central's name among the centrals sharing a PostgreSQL store (``None``: the host's name)."""
    advertise_api: str | None = None
    """The API base address other centrals and clients are told to use while this central leads
    (``None``: ``http://`` the API host, or the host's name when it listens on every interface, and port)."""
    broker_link: BrokerLink = DEFAULT_LINK
    """MQTT version and TLS CA of the link to ``broker``."""
    api_host: str = "127.0.0.1"
    """Interface the REST API listens on."""
    api_port: int | None = 8080
    """Port of the REST API; ``0`` picks a free one; ``None`` serves no API."""
    client_id: str | None = None
    """MQTT client id of central's persistent session (default ``xdock-central-<site>``)."""
    replan_interval: float | None = 30.0
    """Seconds of site time between background re-plans (when scans changed the floor); ``None``: never."""
    replan_budget: float = 2.0
    """Seconds the CP-SAT re-plan may take in its worker process."""
    edges: Mapping[str, str] = field(default_factory=dict)
    """Edge id → inbound door of edges to send routing snapshots to from the start (others are learnt
    from their status and their scans)."""
    auth: bool | None = None
    """API access control: ``True`` always on, ``False`` off, ``None`` on when the store holds a user
    (users are added with ``xdock central user add``)."""
    telemetry: TelemetryConfig | None = None
    """InfluxDB (v2 write API) to send telemetry to, or ``None``; recent telemetry is kept in memory either way."""
    kpi_telemetry_interval: float = 60.0
    """Seconds of site time between two KPI telemetry points."""
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES
    """The largest request body the API reads; a larger one is answered 413 unread."""
    asn_dir: Path | None = None
    """A folder of despatch advice files to apply (see :mod:`xdock.central.partners.asn_folder`), or ``None``."""
    epcis_capture_url: str | None = None
    """An EPCIS repository's capture interface to push the site's EPCIS events to, or ``None``."""
    label_printer: tuple[str, int] | None = None
    """The networked ZPL label printer (host, port) child pallets' labels are sent to, or ``None``."""
    live_tick_s: float = 1.0
    """Seconds between two site-time ticks sent to the live screens."""
