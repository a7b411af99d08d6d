"""The RFID door passage uplink of the v1 contract, on ``.../edge/{edge}/passage``.

A :class:`DoorPassage` is one pallet judged to have gone through a door portal (see
:mod:`xdock.edge.portal`). Like a scan it carries the idempotency key ``(edge_id, seq)`` from the
same sequence as the edge's scans (the edge's outbox allocates both), so central applies each
passage exactly once. Decoding is strict, as for every message (:func:`xdock.protocol.messages.decode`),
and the EPC must be the SSCC-96 of the passage's own SSCC: ``field 'epc': EPC '3174...' is the SSCC-96 of
'376130321109103420', not of '376130321109103437'``.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import AwareDatetime, Field, StringConstraints, ValidationInfo, field_validator
from pydantic_core import PydanticCustomError

from xdock.protocol.epc import EpcError, Sscc96, decode_epc
from xdock.protocol.identifiers import BAD_IDENTIFIER
from xdock.protocol.messages import Id, Seq, Sscc, _Message

__all__ = ["DoorPassage"]


class DoorPassage(_Message):
    """A pallet went through a door: ``in`` (apron to building) or ``out`` (building to trailer)."""

    kind: Literal["passage"] = "passage"
    edge_id: Id
    seq: Seq
    device_id: Id
    """The portal reader that saw the pallet."""
    door: Id
    sscc: Sscc
    epc: Annotated[str, StringConstraints(pattern=r"^[0-9A-F]{24}$")]
    """The tag's EPC-96, 24 upper-case hex digits."""
    direction: Literal["in", "out"]
    at: AwareDatetime
    """The last strong read of the passage (the pallet is through the door)."""
    reads: Annotated[int, Field(ge=1, le=2**31 - 1)]
    peak_rssi: Annotated[int, Field(ge=-128, le=127)]
    """Loudest strong read, dBm."""

    @field_validator("epc")
    @classmethod
    def _epc_of_sscc(cls, epc: str, info: ValidationInfo) -> str:
        sscc = info.data.get("sscc")
        try:
            decoded = decode_epc(epc)
        except EpcError as exc:
            raise PydanticCustomError(BAD_IDENTIFIER, "{problem}", {"problem": str(exc)}) from exc
        if not isinstance(decoded, Sscc96):
            raise PydanticCustomError(BAD_IDENTIFIER, "EPC {epc} is an SGTIN-96, not an SSCC-96", {"epc": repr(epc)})
        if sscc is not None and decoded.sscc != sscc:
            raise PydanticCustomError(
                BAD_IDENTIFIER, "EPC {epc} is the SSCC-96 of {found}, not of {sscc}",
                {"epc": repr(epc), "found": repr(decoded.sscc), "sscc": repr(sscc)},
            )
        return epc

    @property
    def key(self) -> tuple[str, int]:
        """The idempotency key."""
        return (self.edge_id, self.seq)
