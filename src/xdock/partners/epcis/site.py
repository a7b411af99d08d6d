"""The site as GS1 names it: its GLN and company prefix, and the SGLN, GIAI and transaction URIs made from them.

A door or area is the site's GLN with an extension (``urn:epc:id:sgln:0614141.00001.D-12``); a trailer or a
sensor is one of the site's individual assets (``urn:epc:id:giai:0614141.TR-7``); a truck or ASN shipment id
is a business transaction the site recorded (``urn:epcglobal:cbv:bt:0614141000012:ASN-1``, the CBV's form
for an identifier qualified by a GLN).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from xdock.partners.epcis.epc_uris import check_prefix_length, sgln_extension, tds_component
from xdock.partners.epcis.errors import EpcisError
from xdock.protocol.identifiers import IdentifierError, check_gln

__all__ = ["SiteIdentity"]

GIAI_LENGTH: Final = 30
"""GS1 AI 8004, the GIAI: up to 30 characters, company prefix included."""
TRANSACTION_ID_LENGTH: Final = 128
"""Our bound on a business transaction id (the CBV sets none); a longer one is not an id we recorded."""


@dataclass(frozen=True)
class SiteIdentity:
    """Who the site is in GS1 terms; every URI our events name the site's places and assets by comes from here."""

    site_gln: str
    """The site's GLN: 13 digits, the last its check digit."""
    company_prefix_length: int
    """How many of the GLN's first digits are the site's GS1 company prefix: 6 to 12."""

    def __post_init__(self) -> None:
        try:
            check_gln(self.site_gln)
        except IdentifierError as exc:
            raise EpcisError(f"site_gln: {exc}") from exc
        try:
            check_prefix_length(self.company_prefix_length)
        except EpcisError as exc:
            raise EpcisError(f"company_prefix_length: {exc}") from exc

    @property
    def company_prefix(self) -> str:
        """The GLN's first :attr:`company_prefix_length` digits."""
        return self.site_gln[: self.company_prefix_length]

    @property
    def location_reference(self) -> str:
        """The GLN's digits after the company prefix, without the check digit (empty for a 12-digit prefix)."""
        return self.site_gln[self.company_prefix_length : 12]

    def sgln(self, extension: str | None = None) -> str:
        """``urn:epc:id:sgln:<company prefix>.<location reference>.<extension>``: the site itself for ``None``
        (extension ``0``), else the door or area ``extension`` names, TDS-escaped."""
        ext = "0" if extension is None else sgln_extension(extension)
        return f"urn:epc:id:sgln:{self.company_prefix}.{self.location_reference}.{ext}"

    def trailer_epc(self, trailer_id: str) -> str:
        """The trailer as one of the site's assets: ``urn:epc:id:giai:<company prefix>.<trailer id>``."""
        return self._giai("trailer id", trailer_id)

    def sensor_epc(self, sensor_id: str) -> str:
        """The temperature sensor as one of the site's assets: ``urn:epc:id:giai:<company prefix>.<sensor id>``."""
        return self._giai("sensor id", sensor_id)

    def transaction_uri(self, transaction_id: str) -> str:
        """A truck or shipment id the site recorded: ``urn:epcglobal:cbv:bt:<site GLN>:<id>``."""
        escaped = tds_component("business transaction id", transaction_id, max_length=TRANSACTION_ID_LENGTH)
        return f"urn:epcglobal:cbv:bt:{self.site_gln}:{escaped}"

    def _giai(self, what: str, asset_id: str) -> str:
        room = GIAI_LENGTH - self.company_prefix_length
        return f"urn:epc:id:giai:{self.company_prefix}.{tds_component(what, asset_id, max_length=room)}"
