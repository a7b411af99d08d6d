"""The shapes every typed LLRP message shares: a type number and a message id; a status; a ROSpec id."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from xdock.protocol.llrp.parameters import LlrpStatus

__all__: list[str] = []


@dataclass(frozen=True)
class _Message:
    TYPE: ClassVar[int]
    message_id: int


@dataclass(frozen=True)
class _ROSpecCommand(_Message):
    rospec_id: int
    """0 means every ROSpec."""


@dataclass(frozen=True)
class _StatusResponse(_Message):
    status: LlrpStatus
