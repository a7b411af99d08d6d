"""The child pallets' GS1-128 labels (ZPL) and the networked label printer they are sent to (raw TCP, port 9100).

:func:`child_labels` writes one label per child pallet of a split: its SSCC (AI 00) and destination
GLN (AI 410) as GS1-128 barcodes, the destination's name, the parent pallet, its lines (the first
:data:`~xdock.partners.labels.MAX_LINES`) and, for cold goods, the site's temperature limit.
:class:`LabelPrinter` sends ZPL to the printer over TCP with a time-out; it does not retry: a label
not printed is answered as such, and printed again on request (``POST .../labels/print``).
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass

from xdock.central.site.breakdown import Child
from xdock.central.site_file.config import SiteConfig
from xdock.partners.labels import MAX_LINES, PalletLabel, pallet_label

__all__ = ["LabelPrinter", "Printed", "child_labels"]


def child_labels(config: SiteConfig, parent: str, children: Sequence[Child]) -> str:
    """The ZPL of ``children``'s labels, one format each, in order."""
    names = {d.id: d for d in config.destinations}
    rules = config.rules
    out = []
    for child in children:
        dest = names[child.destination]
        limit = {"chilled": rules.chilled_max_c, "frozen": rules.frozen_max_c}.get(child.row.temp)
        out.append(pallet_label(PalletLabel(
            sscc=child.sscc, ship_to_name=dest.name[:40], site_name=config.site, ship_to_gln=dest.glns[0] if dest.glns
            else None, parent_sscc=parent, lines=tuple((x.gtin, x.quantity) for x in child.lines[:MAX_LINES]),
            max_temp_c=limit,
        )))
    return "".join(out)


@dataclass(frozen=True)
class Printed:
    """What sending labels to the printer did."""

    printer: str | None
    """``host:port`` (``None``: no printer configured)."""
    printed: bool
    error: str | None = None


class LabelPrinter:
    """A networked ZPL printer at ``host:port`` (``--label-printer``)."""

    def __init__(self, host: str, port: int = 9100, *, timeout_s: float = 5.0) -> None:
        self.host, self.port, self.timeout_s = host, port, timeout_s

    @property
    def address(self) -> str:
        return f"{self.host}:{self.port}"

    async def send(self, zpl: str) -> Printed:
        """Send ``zpl``; answers whether the printer took it (its connection accepted, every byte written)."""
        try:
            async with asyncio.timeout(self.timeout_s):
                _, writer = await asyncio.open_connection(self.host, self.port)
                try:
                    writer.write(zpl.encode("utf-8"))
                    await writer.drain()
                finally:
                    writer.close()
                    await writer.wait_closed()
        except TimeoutError:
            return Printed(self.address, False, f"printer {self.address}: no answer within {self.timeout_s:g} s")
        except ConnectionRefusedError:
            return Printed(self.address, False, f"printer {self.address}: connection refused (is it on and online?)")
        except OSError as exc:
            return Printed(self.address, False, f"printer {self.address}: {exc.strerror or exc}")
        return Printed(self.address, True)
