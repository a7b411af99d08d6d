"""The strict base of every scenario model, and :class:`Distribution`, a random duration or count."""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Annotated, Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]
Share = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]

_ARITY: Mapping[str, int] = {"constant": 1, "exponential": 1, "triangular": 3, "uniform": 2, "uniform_int": 2}
_SHAPE: Mapping[str, str] = {
    "constant": "VALUE", "exponential": "MEAN", "triangular": "[LOW, MODE, HIGH]", "uniform": "[LOW, HIGH]",
    "uniform_int": "[LOW, HIGH]",
}


class Distribution(_Strict):
    """A non-negative random quantity: written ``{uniform: [60, 1440]}``, ``{triangular: [7, 10, 13]}``,
    ``{exponential: 2.5}`` (the mean), ``{uniform_int: [17, 33]}``, ``{constant: 26}`` or a bare number."""

    kind: Literal["constant", "exponential", "triangular", "uniform", "uniform_int"]
    args: tuple[float, ...]

    @model_validator(mode="before")
    @classmethod
    def _compact(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError(  # noqa: TRY004  (pydantic reports ValueError with the field's path)
                f"expected a distribution such as {{uniform: [60, 1440]}} or a number, got {value!r}")
        if isinstance(value, int | float):
            return {"kind": "constant", "args": (float(value),)}
        if isinstance(value, Mapping) and set(value) == {"kind", "args"}:
            value = {value["kind"]: list(value["args"])}
        if not isinstance(value, Mapping) or len(value) != 1:
            raise ValueError(
                f"expected a distribution such as {{uniform: [60, 1440]}} or a number, got {value!r}")
        [(name, raw)] = value.items()
        if name not in _ARITY:
            raise ValueError(f"unknown distribution {name!r} (known: {', '.join(sorted(_ARITY))})")
        args = list(raw) if isinstance(raw, list | tuple) else [raw]
        if len(args) != _ARITY[name] or not all(
            isinstance(a, int | float) and not isinstance(a, bool) and math.isfinite(a) for a in args
        ):
            raise ValueError(f"{name} takes {_SHAPE[name]} (finite numbers), got {raw!r}")
        numbers = tuple(float(a) for a in args)
        if min(numbers) < 0:
            raise ValueError(f"{name} {raw!r}: a duration or count cannot be negative")
        if name == "exponential" and numbers[0] <= 0:
            raise ValueError(f"exponential {raw!r}: the mean must be above 0")
        if list(numbers) != sorted(numbers):
            raise ValueError(f"{name} {raw!r}: expected {_SHAPE[name]} in increasing order")
        if name == "uniform_int" and not all(n.is_integer() for n in numbers):
            raise ValueError(f"uniform_int {raw!r}: expected whole numbers")
        return {"kind": name, "args": numbers}

    @property
    def mean(self) -> float:
        return sum(self.args) / len(self.args)

    def sample(self, rng: np.random.Generator, n: int) -> np.ndarray[Any, np.dtype[np.float64]]:
        """``n`` draws from ``rng``."""
        a = self.args
        if self.kind == "constant" or a[0] == a[-1]:
            return np.full(n, a[0])
        if self.kind == "exponential":
            return rng.exponential(a[0], n)
        if self.kind == "uniform":
            return rng.uniform(a[0], a[1], n)
        if self.kind == "uniform_int":
            return rng.integers(int(a[0]), int(a[1]) + 1, n).astype(np.float64)
        return rng.triangular(a[0], a[1], a[2], n)

    def __str__(self) -> str:
        shown = ", ".join(f"{x:g}" for x in self.args)
        return f"{self.kind}({shown})"
