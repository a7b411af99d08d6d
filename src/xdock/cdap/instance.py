"""A cross-dock door assignment (CDAP) instance and its text format.

The format is a stream of whitespace-separated integers::

    M I J N
    w      (M rows x N columns)  pallets from inbound truck i to outbound truck j
    d      (I rows x J columns)  distance from inbound door k to outbound door l
    s      (M)   supply of each inbound truck
    Cin    (I)   capacity of each inbound door
    r      (N)   demand of each outbound truck
    Cout   (J)   capacity of each outbound door

Integers after the last field are ignored (some published files carry a trailing solution).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

__all__ = ["CdapFormatError", "CdapInstance", "IntArray"]

IntArray = npt.NDArray[np.int64]

_TOKEN = re.compile(r"\S+")

_FIELDS: tuple[tuple[str, str], ...] = (
    ("w", "flows"),
    ("d", "distances"),
    ("s", "supplies"),
    ("Cin", "inbound door capacities"),
    ("r", "demands"),
    ("Cout", "outbound door capacities"),
)


class CdapFormatError(ValueError):
    """A CDAP instance file or array set that does not describe a valid instance."""


@dataclass(frozen=True, eq=False)
class CdapInstance:
    """M inbound trucks, N outbound trucks, I inbound doors and J outbound doors."""

    flows: IntArray
    """``w``, shape (M, N): pallets from inbound truck i to outbound truck j."""
    distances: IntArray
    """``d``, shape (I, J): distance from inbound door k to outbound door l."""
    supplies: IntArray
    """``s``, shape (M,): pallets each inbound truck unloads."""
    inbound_capacities: IntArray
    """``Cin``, shape (I,): pallets each inbound door can take."""
    demands: IntArray
    """``r``, shape (N,): pallets each outbound truck loads."""
    outbound_capacities: IntArray
    """``Cout``, shape (J,): pallets each outbound door can take."""
    name: str = ""
    """Label used in messages and reports."""

    def __post_init__(self) -> None:
        label = self.name or "<instance>"
        m, n = _shape2(label, "flows", self.flows)
        i, j = _shape2(label, "distances", self.distances)
        for field, array, size in (
            ("supplies", self.supplies, m),
            ("inbound_capacities", self.inbound_capacities, i),
            ("demands", self.demands, n),
            ("outbound_capacities", self.outbound_capacities, j),
        ):
            if array.ndim != 1 or array.shape[0] != size:
                raise CdapFormatError(
                    f"Invalid CDAP instance '{label}': {field} expected shape ({size},), got {array.shape}"
                )
        for field in ("flows", "distances", "supplies", "inbound_capacities", "demands", "outbound_capacities"):
            array = getattr(self, field)
            if array.size and int(array.min()) < 0:
                position = int(np.argmin(array.ravel()))
                raise CdapFormatError(
                    f"Invalid CDAP instance '{label}': {field} expected non-negative values, "
                    f"got {int(array.ravel()[position])} at index {position}"
                )

    @property
    def n_inbound(self) -> int:
        """M, the number of inbound trucks."""
        return int(self.flows.shape[0])

    @property
    def n_outbound(self) -> int:
        """N, the number of outbound trucks."""
        return int(self.flows.shape[1])

    @property
    def n_inbound_doors(self) -> int:
        """I, the number of inbound doors."""
        return int(self.distances.shape[0])

    @property
    def n_outbound_doors(self) -> int:
        """J, the number of outbound doors."""
        return int(self.distances.shape[1])

    @classmethod
    def parse(cls, text: str, name: str = "") -> CdapInstance:
        """Read an instance from the text format described in the module docstring."""
        label = name or "<text>"
        values: list[int] = []
        lines: list[int] = []
        for line_number, line in enumerate(text.splitlines(), start=1):
            for token in _TOKEN.findall(line):
                try:
                    values.append(int(token))
                except ValueError:
                    raise CdapFormatError(
                        f"Invalid CDAP instance '{label}': line {line_number}: expected an integer, got '{token}'"
                    ) from None
                lines.append(line_number)
        if len(values) < 4:
            raise CdapFormatError(
                f"Invalid CDAP instance '{label}': header expected 4 numbers (M I J N), got {len(values)}"
            )
        m, i, j, n = values[:4]
        for symbol, count in (("M", m), ("I", i), ("J", j), ("N", n)):
            if count < 1:
                raise CdapFormatError(
                    f"Invalid CDAP instance '{label}': line {lines[0]}: header {symbol} expected >= 1, got {count}"
                )
        sizes = (m * n, i * j, m, i, n, j)
        needed = 4 + sum(sizes)
        if len(values) < needed:
            position, field = 4, _FIELDS[-1]
            for size, candidate in zip(sizes, _FIELDS, strict=True):
                if position + size > len(values):
                    field = candidate
                    break
                position += size
            raise CdapFormatError(
                f"Invalid CDAP instance '{label}': too few numbers: expected {needed} for "
                f"M={m} I={i} J={j} N={n}, got {len(values)} (field {field[0]} ({field[1]}) is incomplete)"
            )
        parts: list[IntArray] = []
        position = 4
        for size, (symbol, title) in zip(sizes, _FIELDS, strict=True):
            chunk = values[position : position + size]
            for offset, value in enumerate(chunk):
                if value < 0:
                    raise CdapFormatError(
                        f"Invalid CDAP instance '{label}': line {lines[position + offset]}: field {symbol} "
                        f"({title}) expected non-negative values, got {value} at index {offset}"
                    )
            parts.append(np.asarray(chunk, dtype=np.int64))
            position += size
        return cls(
            flows=parts[0].reshape(m, n),
            distances=parts[1].reshape(i, j),
            supplies=parts[2],
            inbound_capacities=parts[3],
            demands=parts[4],
            outbound_capacities=parts[5],
            name=name,
        )

    @classmethod
    def read(cls, path: str | Path) -> CdapInstance:
        """Read an instance file; the instance is named after the file's stem."""
        file = Path(path)
        return cls.parse(file.read_text(encoding="utf-8"), name=file.stem)


def _shape2(label: str, field: str, array: IntArray) -> tuple[int, int]:
    if array.ndim != 2 or 0 in array.shape:
        raise CdapFormatError(
            f"Invalid CDAP instance '{label}': {field} expected a non-empty 2-D array, got shape {array.shape}"
        )
    return int(array.shape[0]), int(array.shape[1])
