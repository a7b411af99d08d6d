"""``xdock optimise``: the optimiser on published benchmark instances."""

from __future__ import annotations

import argparse
from typing import Any


def register(commands: Any) -> None:
    opt: argparse.ArgumentParser = commands.add_parser("optimise", help="run the optimiser on benchmark instances")
    kinds = opt.add_subparsers(dest="kind", required=True, metavar="PROBLEM")
    p: argparse.ArgumentParser = kinds.add_parser(
        "cdap", help="Cross-Dock Door Assignment instance (published format)", add_help=False
    )
    p.set_defaults(run=run, rest=[])


def split_passthrough(argv: list[str]) -> tuple[list[str], list[str] | None]:
    """Split ``[..., "optimise", "cdap", *rest]`` into the part for ``xdock`` and ``rest``."""
    for i in range(len(argv) - 1):
        if argv[i] == "optimise" and argv[i + 1] == "cdap":
            return argv[: i + 2], argv[i + 2 :]
    return argv, None


def run(args: argparse.Namespace) -> int:
    from xdock.cdap.cli import main  # noqa: PLC0415  (heavy import only when used)

    result: int = main(list(args.rest))
    return result
