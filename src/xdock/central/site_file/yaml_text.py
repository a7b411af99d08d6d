"""YAML text to a mapping, refused with the caller's error type naming the line and column of a bad spot."""

from __future__ import annotations

from typing import Any

import yaml


def yaml_mapping(text: str, source: str, *, error: type[ValueError], expected: str) -> dict[str, Any]:
    """The mapping ``text`` holds; else ``error`` naming ``source`` (and the line and column of a YAML error),
    or saying it ``expected`` (``"a mapping with site, doors, trailers"``) and what it got instead."""
    try:
        # libyaml's loader when PyYAML has it: ten times faster on a big file, and central reads its site at start.
        data = yaml.load(text, Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))  # noqa: S506  (a safe loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise error(f"{source}:{where}: not valid YAML: {problem}") from exc
    if not isinstance(data, dict):
        raise error(f"{source}: expected {expected}; got {type(data).__name__}")
    return data
