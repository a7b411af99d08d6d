"""Naming an option the command does not know, before argparse blames something else.

``xdock central --sitee site.yaml`` would otherwise read as ``--sitee`` (unknown, kept aside) and
``site.yaml`` as central's ``user`` subcommand, and argparse reports ``argument {user}: invalid
choice``. :func:`unknown_option` walks the arguments the way the parsers will, subcommand by
subcommand, and names the first option that the command reached at that point does not take.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Sequence

__all__ = ["unknown_option"]

_END_OF_OPTIONS = "--"


def unknown_option(parser: argparse.ArgumentParser, argv: Sequence[str]) -> tuple[argparse.ArgumentParser, str] | None:
    """The parser reached and its error text for the first unknown option in ``argv``, or ``None``."""
    words = list(argv)
    i = 0
    while i < len(words):
        word = words[i]
        i += 1
        if word == _END_OF_OPTIONS:
            return None
        if _is_option(word):
            name = word.split("=", 1)[0]
            action = _action_for(parser, name)
            if action is None:
                return parser, _unknown(parser, name)
            if "=" not in word:
                i = _skip_values(action, words, i)
            continue
        sub = _subcommand(parser, word)
        if sub is not None:
            parser = sub
    return None


def _is_option(word: str) -> bool:
    if not word.startswith("-") or len(word) == 1:
        return False
    try:
        float(word)
    except ValueError:
        return True
    return False


def _option_strings(parser: argparse.ArgumentParser) -> list[str]:
    return [s for action in parser._actions for s in action.option_strings]


def _action_for(parser: argparse.ArgumentParser, name: str) -> argparse.Action | None:
    """The action ``name`` selects: an exact option string, or (as argparse allows) a unique prefix of a long one."""
    exact = [a for a in parser._actions if name in a.option_strings]
    if exact:
        return exact[0]
    if not name.startswith("--") or not parser.allow_abbrev:
        return None
    matches = {a for a in parser._actions for s in a.option_strings if s.startswith(name)}
    return matches.pop() if len(matches) == 1 else None


def _skip_values(action: argparse.Action, tokens: list[str], i: int) -> int:
    """The index after the values ``action`` takes from ``tokens[i:]``."""
    if action.nargs == 0:
        return i
    if action.nargs in (None, 1):
        return i + 1
    if isinstance(action.nargs, int):
        return i + action.nargs
    while i < len(tokens) and not _is_option(tokens[i]):
        i += 1
        if action.nargs == "?":
            break
    return i


def _subcommand(parser: argparse.ArgumentParser, token: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction) and token in action.choices:
            chosen: argparse.ArgumentParser = action.choices[token]
            return chosen
    return None


def _unknown(parser: argparse.ArgumentParser, name: str) -> str:
    known = [s for s in _option_strings(parser) if s.startswith("--")]
    close = difflib.get_close_matches(name, known, n=1)
    hint = f" (did you mean {close[0]}?)" if close else f"; see {parser.prog} --help"
    return f"unknown option {name}{hint}"
