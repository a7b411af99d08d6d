"""Reading scenario files: YAML, ``extends`` chains, the shipped scenarios, and validation."""

from __future__ import annotations

from collections.abc import Mapping
from importlib import resources
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from xdock.central.site_file.yaml_text import yaml_mapping
from xdock.simulation.scenario.definition import Scenario
from xdock.simulation.scenario.distributions import _ARITY
from xdock.simulation.scenario.errors import ScenarioError, _format

_MAX_EXTENDS = 8
_SCENARIOS = "scenarios"


def _shipped_dir() -> Path:
    return Path(str(resources.files("xdock.simulation") / _SCENARIOS))


def shipped_scenarios() -> list[str]:
    """The names of the scenarios that come with xdock."""
    return sorted(p.stem for p in _shipped_dir().glob("*.yaml"))


def _read(path: Path) -> dict[str, Any]:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ScenarioError(f"{path}: cannot read scenario file: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise ScenarioError(f"{path}: not UTF-8 text (byte {exc.start})") from exc
    return _yaml(text, str(path))


def _yaml(text: str, source: str) -> dict[str, Any]:
    return yaml_mapping(text, source, error=ScenarioError,
                        expected="a mapping with name, start, horizon_hours, inbound, outbound")


def _distribution(value: Mapping[str, Any]) -> bool:
    """``value`` is written as a distribution (``{uniform: [1.25, 3.25]}``): what overrides it replaces it,
    whatever its kind, rather than merging with it."""
    return len(value) == 1 and next(iter(value)) in _ARITY


def _merge(base: Mapping[str, Any], over: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    if any(k in over for k in ("site_file", "site", "generated_site")):
        for k in ("site_file", "site", "generated_site"):
            merged.pop(k, None)
    for key, value in over.items():
        if (isinstance(value, Mapping) and isinstance(merged.get(key), Mapping) and key != "site"
                and not _distribution(merged[key])):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _locate(name_or_path: str | Path, relative_to: Path | None = None) -> Path:
    text = str(name_or_path)
    candidate = Path(text)
    if relative_to is not None and not candidate.is_absolute():
        candidate = relative_to / candidate
    if candidate.is_file():
        return candidate
    shipped = _shipped_dir() / f"{text}.yaml"
    if "/" not in text and not text.endswith((".yaml", ".yml")) and shipped.is_file():
        return shipped
    raise ScenarioError(f"unknown scenario {text!r}: no such file, and not a shipped scenario "
                        f"(shipped: {', '.join(shipped_scenarios())})")


def _expand(data: dict[str, Any], path: Path, chain: tuple[Path, ...]) -> dict[str, Any]:
    """``data`` over what it ``extends``; a relative ``site_file`` made relative to the file that names it."""
    if isinstance(data.get("site_file"), str) and not Path(data["site_file"]).is_absolute():
        data = {**data, "site_file": str(path.parent.resolve() / data["site_file"])}
    parent = data.pop("extends", None)
    if parent is None:
        return data
    if not isinstance(parent, str):
        raise ScenarioError(f"{path}: extends: expected a scenario name or path, got {parent!r}")
    try:
        base_path = _locate(parent, path.parent)
    except ScenarioError as exc:
        raise ScenarioError(f"{path}: extends: {exc}") from None
    if base_path.resolve() in chain or len(chain) >= _MAX_EXTENDS:
        raise ScenarioError(f"{path}: extends: {parent!r} extends itself (through {', '.join(map(str, chain))})")
    base = _expand(_read(base_path), base_path, (*chain, base_path.resolve()))
    return _merge(base, data)


def _validate(data: dict[str, Any], source: str, base: Path) -> Scenario:
    try:
        return Scenario.model_validate(data, strict=True, context={"base": base})
    except ValidationError as exc:
        raise ScenarioError(f"{source}: {_format(exc)}") from exc


def parse_scenario(text: str, source: str = "<scenario>", base: Path | None = None) -> Scenario:
    """Parse and validate scenario YAML ``text``; ``source`` names it in errors, ``base`` is the folder its
    relative paths (``site_file``, ``extends``) start from (the current one when ``None``)."""
    folder = base if base is not None else Path.cwd()
    data = _expand(_yaml(text, source), folder / "<text>", ())
    return _validate(data, source, folder)


def load_scenario(name_or_path: str | Path) -> Scenario:
    """The scenario in file ``name_or_path``, or the shipped one of that name (:func:`shipped_scenarios`)."""
    path = _locate(name_or_path)
    data = _expand(_read(path), path, (path.resolve(),))
    return _validate(data, str(path), path.parent)
