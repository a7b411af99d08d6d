"""``xdock optimise cdap FILE --time-limit SECONDS [--seed N]``: solve one CDAP instance file, print JSON.

The search kernel is loaded (compiled on first use) before the ``--time-limit`` budget starts.
Prints exactly one JSON object ``{"objective", "inbound_doors", "outbound_doors", "seconds", "status"}`` with
0-based doors. Exit code 0 when an assignment was found, 1 when none was, 2 on a usage, file or format error
(message on stderr).
"""

from __future__ import annotations

import argparse
import json
import sys

from xdock.cdap.instance import CdapFormatError, CdapInstance
from xdock.cdap.solver import solve
from xdock.cdap.tabu import warm

__all__ = ["main"]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="xdock optimise cdap", description="Assign trucks to cross-dock doors (CDAP instance file)."
    )
    parser.add_argument("file", metavar="FILE", help="instance in the CDAP benchmark text format")
    parser.add_argument("--time-limit", type=float, required=True, metavar="SECONDS", help="wall-clock budget")
    parser.add_argument("--seed", type=int, default=0, metavar="N", help="random seed (default 0)")
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command; returns the process exit code."""
    args = _parser().parse_args(argv)
    if args.time_limit <= 0:
        print(f"xdock optimise cdap: --time-limit expected > 0, got {args.time_limit}", file=sys.stderr)
        return 2
    try:
        instance = CdapInstance.read(args.file)
    except FileNotFoundError:
        print(f"xdock optimise cdap: no such file: {args.file}", file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as error:
        print(f"xdock optimise cdap: cannot read {args.file}: {error}", file=sys.stderr)
        return 2
    except CdapFormatError as error:
        print(f"xdock optimise cdap: {error}", file=sys.stderr)
        return 2
    warm()  # load (or compile) the search kernel before the budget starts: the budget is the search's
    result = solve(instance, time_limit=args.time_limit, seed=args.seed)
    report = {
        "objective": result.objective,
        "inbound_doors": [] if result.inbound_doors is None else [int(door) for door in result.inbound_doors],
        "outbound_doors": [] if result.outbound_doors is None else [int(door) for door in result.outbound_doors],
        "seconds": round(result.seconds, 3),
        "status": result.status,
    }
    print(json.dumps(report))
    return 0 if result.objective is not None else 1


if __name__ == "__main__":
    raise SystemExit(main())
