"""What every v1 message shares: the schema version, the id types and the strict base model.

Kept apart from :mod:`xdock.protocol.messages` so that modules of message families
(:mod:`~xdock.protocol.status_messages`, :mod:`~xdock.protocol.passages`,
:mod:`~xdock.protocol.sensors`) can build on it without an import cycle; every name here is
re-exported by :mod:`xdock.protocol.messages`.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator
from pydantic_core import PydanticCustomError

from xdock.protocol.identifiers import Id, Sscc

__all__ = [
    "INT64_MAX",
    "SCHEMA_VERSION",
    "Id",
    "MessageError",
    "MessageErrorReason",
    "PlanVersion",
    "Seq",
    "Sscc",
    "_Message",
]

SCHEMA_VERSION: Literal[1] = 1
INT64_MAX = 2**63 - 1
"""Integers that are stored must fit a signed 64-bit column."""

Seq = Annotated[int, Field(ge=1, le=INT64_MAX)]
PlanVersion = Annotated[int, Field(ge=0, le=INT64_MAX)]
MessageErrorReason = Literal["oversized", "wrong_version", "bad_identifier", "bad_payload"]


class MessageError(ValueError):
    """A payload that is not a valid message of the expected kind.

    ``reason`` is a stable key for counting: ``oversized`` (over ``MAX_PAYLOAD`` bytes),
    ``wrong_version`` (``v`` is not :data:`SCHEMA_VERSION`), ``bad_identifier`` (an id, SSCC, GLN,
    postal code or EPC refused by :mod:`xdock.protocol.identifiers`), ``bad_payload`` (anything else).
    """

    def __init__(self, message: str, *, reason: MessageErrorReason = "bad_payload") -> None:
        super().__init__(message)
        self.reason: MessageErrorReason = reason


class _Message(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    v: Literal[1] = SCHEMA_VERSION

    @field_validator("v", mode="before")
    @classmethod
    def _exact_version(cls, value: object) -> object:
        # A JSON true or 1.0 equals 1 in Python; the version must be the integer itself.
        if type(value) is not int:
            raise PydanticCustomError("literal_error", "Input should be 1")
        return value
