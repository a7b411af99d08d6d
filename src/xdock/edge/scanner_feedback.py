"""What the edge shows a worker: a beep and a line on the display of the scanner that read the label."""

from __future__ import annotations

from xdock.edge.devices.serial_scanner import SerialScannerDriver
from xdock.protocol.messages import Feedback
from xdock.protocol.scanner_wire import Beep, Display, ScannerCommand

__all__ = ["show", "tell"]


async def tell(driver: SerialScannerDriver, beep: str, text: str) -> None:
    """The good beep for ``"good"`` (the error beep for anything else), then ``text`` on the display."""
    await driver.send_all((Beep("good" if beep == "good" else "error"), Display(text)))


async def show(driver: SerialScannerDriver, message: Feedback) -> None:
    """Central's feedback as it says: its beep and its text, each only if given."""
    commands: list[ScannerCommand] = []
    if message.beep is not None:
        commands.append(Beep(message.beep))
    if message.text is not None:
        commands.append(Display(message.text))
    await driver.send_all(commands)
