"""How a bad scenario is refused: :class:`ScenarioError`, and pydantic's errors as one line naming each field."""

from __future__ import annotations

from pydantic import ValidationError


class ScenarioError(ValueError):
    """The scenario cannot be used; the message names the file, the field and the bad value."""


def _format(exc: ValidationError) -> str:
    lines = []
    for err in exc.errors(include_url=False):
        loc = ""
        for part in err["loc"]:
            if isinstance(part, int):
                loc += f"[{part}]"
            elif part in _UNION_TAGS:
                continue  # the discriminated union's branch name: the path already says which item
            else:
                loc += f".{part}" if loc else str(part)
        msg = err["msg"].removeprefix("Value error, ")
        if err["type"] not in {"value_error", "bad_identifier", "union_tag_invalid", "missing"} and "input" in err:
            msg += f" (got {err['input']!r})"
        lines.append(f"{loc}: {msg}" if loc else msg)
    return "; ".join(lines)


_UNION_TAGS = frozenset({"door_closed", "central_unreachable", "reefer_failure", "volume_peak", "supplier_early",
                         "supplier_late"})
