"""What can go wrong reading a despatch advice: one exception, saying where, what and why.

::

    DesadvError(ValueError)     segment, tag, element (EDIFACT), path (JSON), offset (bytes), reason

Where an EDIFACT error is, ``segment`` counts the interchange's segments from 1, UNB being 1 (a UNA
service string advice is not counted), and ``tag`` is the segment's tag with its qualifier when it has
one (``GIN+BJ``, ``QTY+12``, ``NAD+SU``; plain ``UNT``, ``LIN``). ``element`` is the directory number of
the data element at fault (``7402`` the SSCC in GIN, ``6060`` a quantity, ``2380`` a date) and the reason
names it in words: ``segment 14 GIN+BJ: SSCC 376130320510005997: bad check digit (expected 6, got 7)``.
A JSON error names the path instead (``pallets[2].sscc: ...``), bytes that are not text the byte
``offset``, and a refusal of the whole input (too large) only the reason.
"""

from __future__ import annotations

__all__ = ["DesadvError"]


class DesadvError(ValueError):
    """A despatch advice refused; ``str()`` reads ``segment 14 GIN+BJ: <input>: <expected, found>``."""

    def __init__(
        self,
        reason: str,
        *,
        segment: int | None = None,
        tag: str | None = None,
        element: str | None = None,
        path: str | None = None,
        offset: int | None = None,
    ) -> None:
        self.reason = reason
        self.segment = segment
        """1-based number of the segment in the interchange, UNB = 1; ``None`` outside EDIFACT segments."""
        self.tag = tag
        """The segment's tag and qualifier (``GIN+BJ``), or the tag expected where a segment is missing."""
        self.element = element
        """The directory number of the data element at fault (``7402``), when one is."""
        self.path = path
        """Where in a JSON document (``pallets[2].sscc``)."""
        self.offset = offset
        """The byte at fault, for bytes that are not text."""
        super().__init__(self._text())

    def _text(self) -> str:
        if self.path is not None:
            where = self.path
        elif self.segment is not None:
            where = f"segment {self.segment}" + (f" {self.tag}" if self.tag else "")
        elif self.offset is not None:
            where = f"byte {self.offset}"
        elif self.tag is not None:
            where = self.tag
        else:
            return self.reason
        return f"{where}: {self.reason}"
