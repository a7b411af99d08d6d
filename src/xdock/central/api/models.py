"""What every REST request body shares: strict types, unknown fields refused, ids checked.

A body's field of the wrong JSON type is refused, not coerced: ``"pallets": "7"``, ``"seq": true`` or
``"pallets": 7.0`` are each a 422 naming the field (``body.pallets: Input should be a valid
integer``), as the uplink decoder refuses ``"seq": "7"``. Times travel as ISO 8601 text with their
UTC offset (:data:`IsoTime`); a number is not a time. Ids are :data:`xdock.protocol.identifiers.Id`
(``body.id: Invalid id 'A/B': expected 1-64 characters of A-Z a-z 0-9 _ -``).
"""

from __future__ import annotations

from typing import Annotated

from pydantic import AwareDatetime, BaseModel, BeforeValidator, ConfigDict, Field
from pydantic_core import PydanticCustomError

__all__ = ["IsoTime", "StrictIn"]


class StrictIn(BaseModel):
    """Base of request bodies: no coercion between JSON types, no field the model does not name."""

    model_config = ConfigDict(strict=True, extra="forbid", frozen=True)


def _iso_text(value: object) -> object:
    # Strict mode would want a datetime object, which JSON cannot carry; lax mode would read a number
    # as seconds since 1970. A time is text.
    if not isinstance(value, str):
        raise PydanticCustomError("datetime_type", "Input should be a date and time as ISO 8601 text")
    return value


IsoTime = Annotated[AwareDatetime, Field(strict=False), BeforeValidator(_iso_text)]
"""A time with its UTC offset, as ISO 8601 text (``2026-11-23T08:30:00+01:00``)."""
