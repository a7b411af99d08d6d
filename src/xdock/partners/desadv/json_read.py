"""Reading a despatch advice from JSON (the form :func:`~xdock.partners.desadv.to_json` writes).

Bytes must be UTF-8 (the byte offset is named otherwise). Unknown fields are refused, as is a wrong type;
each refusal is a :class:`DesadvError` naming the JSON path of the first problem: ``pallets[2].sscc: ...``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from xdock.partners.desadv.edifact_read import DEFAULT_MAX_PALLETS, DEFAULT_MAX_SIZE
from xdock.partners.desadv.errors import DesadvError
from xdock.partners.desadv.model import DespatchAdvice

__all__ = ["parse_json"]


def json_path(location: tuple[int | str, ...]) -> str:
    """``("pallets", 2, "sscc")`` as ``pallets[2].sscc``; ``$`` for the document itself."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else (f".{part}" if path else part)
    return path or "$"


def _loaded(data: bytes | str) -> Any:
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise DesadvError(f"0x{data[exc.start]:02X}: expected UTF-8 text", offset=exc.start) from exc
    try:
        return json.loads(data)
    except (ValueError, RecursionError) as exc:
        raise DesadvError(f"not JSON: {exc}", path="$") from exc


def parse_json(
    data: bytes | str | Mapping[str, Any], *, max_size: int = DEFAULT_MAX_SIZE, max_pallets: int = DEFAULT_MAX_PALLETS
) -> DespatchAdvice:
    """The advice in ``data``: JSON text, or the document already loaded."""
    if isinstance(data, bytearray | memoryview):
        data = bytes(data)
    if isinstance(data, str | bytes):
        if len(data) > max_size:
            unit = "characters" if isinstance(data, str) else "bytes"
            raise DesadvError(f"input of {len(data)} {unit}: expected at most {max_size} (max_size)")
        document = _loaded(data)
    else:
        document = data
    if not isinstance(document, Mapping):
        raise DesadvError(f"expected an object, found {type(document).__name__}", path="$")
    pallets = document.get("pallets")
    if isinstance(pallets, list | tuple) and len(pallets) > max_pallets:
        raise DesadvError(f"{len(pallets)} pallets: expected at most {max_pallets}", path="pallets")
    try:
        return DespatchAdvice.model_validate(dict(document))
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        first = errors[0]
        more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
        raise DesadvError(f"{first['msg']}{more}", path=json_path(first["loc"])) from exc
