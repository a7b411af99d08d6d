"""What can go wrong reading LLRP bytes.

::

    LlrpError(ValueError)                  offset: byte in the stream (0 = first byte fed); field: what was bad
      LlrpFrameError                       the 10-byte header cannot be trusted (reserved bits, version,
                                           length field): frame boundaries are lost, the stream is broken
      LlrpMessageError                     the frame is well delimited but its content is not a message we
                                           read (unknown type, malformed parameter): that frame is skipped

Encoding a value that does not fit its field raises plain :class:`ValueError` naming the field.
"""

from __future__ import annotations

__all__ = ["LlrpError", "LlrpFrameError", "LlrpMessageError"]


class LlrpError(ValueError):
    """Bytes that are not valid LLRP; ``offset`` and ``field`` say where and what."""

    def __init__(self, detail: str, *, offset: int, field: str) -> None:
        super().__init__(f"Invalid LLRP at byte {offset}: {field}: {detail}")
        self.offset = offset
        self.field = field
        self.detail = detail


class LlrpFrameError(LlrpError):
    """A header whose length, version or reserved bits cannot be trusted: the stream is broken."""


class LlrpMessageError(LlrpError):
    """A well-delimited frame whose content is refused; ``message_type`` and ``message_id`` name it."""

    def __init__(self, detail: str, *, offset: int, field: str, message_type: int, message_id: int) -> None:
        super().__init__(detail, offset=offset, field=field)
        self.message_type = message_type
        self.message_id = message_id
