"""Reading the systemd units of ``deploy/systemd/`` as systemd reads them, for ``tests/deploy/``.

Only what those units use is read: ``[Section]`` headers, ``Key=value`` lines (a key may repeat), comments
starting with ``#`` or ``;``; the specifiers ``%i``, ``%d``, ``%S`` and ``%%`` in ``ExecStart=``; and the
environment file's variables, ``${VAR}`` replaced inside a word and ``$VAR`` alone as a word split at
white space, as systemd.service(5) describes. Anything else (a continued line, a quoted environment
value) is refused by name, so a unit that grows past this reader fails its test rather than being misread.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass
from pathlib import Path

SYSTEMD_DIR = Path(__file__).parents[2] / "deploy" / "systemd"
STATE_ROOT = "/var/lib"
"""``%S`` of a system service."""

_BRACED = re.compile(r"\$\{([A-Za-z_][A-Za-z0-9_]*)\}")
_BARE = re.compile(r"\$([A-Za-z_][A-Za-z0-9_]*)")
_SPECIFIER = re.compile(r"%(.)")


@dataclass(frozen=True)
class Unit:
    """One unit file: its name as installed (an instance name for a template) and its settings in order."""

    name: str
    settings: tuple[tuple[str, str, str], ...]
    """(section, key, value) for every ``Key=value`` line."""

    @classmethod
    def read(cls, path: Path, name: str | None = None) -> Unit:
        section = ""
        settings: list[tuple[str, str, str]] = []
        for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
            line = raw.strip()
            if not line or line[0] in "#;":
                continue
            if line.endswith("\\"):
                raise ValueError(f"{path.name}:{number}: a continued line; this reader takes one line per setting")
            if line.startswith("[") and line.endswith("]"):
                section = line[1:-1]
                continue
            key, equals, value = line.partition("=")
            if not equals:
                raise ValueError(f"{path.name}:{number}: expected Key=value, found {line!r}")
            settings.append((section, key.strip(), value.strip()))
        return cls(name or path.name, tuple(settings))

    def values(self, section: str, key: str) -> list[str]:
        return [v for s, k, v in self.settings if s == section and k == key]

    def value(self, section: str, key: str) -> str:
        found = self.values(section, key)
        if len(found) != 1:
            raise ValueError(f"{self.name}: [{section}] {key}: expected one value, found {found}")
        return found[0]

    @property
    def instance(self) -> str:
        """``%i``: what stands between ``@`` and ``.service`` (empty for a plain unit)."""
        stem = self.name.removesuffix(".service")
        return stem.partition("@")[2]

    def specifiers(self, text: str) -> str:
        """``text`` with ``%i``, ``%d``, ``%S`` and ``%%`` replaced; another specifier is refused by name."""
        table = {"i": self.instance, "d": f"/run/credentials/{self.name}", "S": STATE_ROOT, "%": "%"}

        def one(match: re.Match[str]) -> str:
            letter = match.group(1)
            if letter not in table:
                raise ValueError(f"{self.name}: specifier %{letter} in {text!r}: this reader knows %i %d %S %%")
            return table[letter]

        return _SPECIFIER.sub(one, text)

    def exec_start(self, environment: dict[str, str]) -> list[str]:
        """``ExecStart=`` as the argument vector systemd runs, with ``environment`` from the environment file."""
        argv: list[str] = []
        for word in shlex.split(self.specifiers(self.value("Service", "ExecStart"))):
            bare = _BARE.fullmatch(word)
            if bare is not None:
                argv.extend(environment[bare.group(1)].split())
            else:
                argv.append(_BRACED.sub(lambda m: environment[m.group(1)], word))
        return argv

    def exec_start_variables(self) -> set[str]:
        """The environment variables ``ExecStart=`` names, braced or bare."""
        line = self.value("Service", "ExecStart")
        return set(_BRACED.findall(line)) | set(_BARE.findall(line))


def read_environment_file(path: Path) -> dict[str, str]:
    """``KEY=value`` lines of a systemd environment file (comments and blank lines skipped; no quoting)."""
    variables: dict[str, str] = {}
    for number, raw in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        line = raw.strip()
        if not line or line[0] in "#;":
            continue
        key, equals, value = line.partition("=")
        if not equals or not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", key):
            raise ValueError(f"{path.name}:{number}: expected KEY=value, found {line!r}")
        if any(quote in value for quote in "'\"\\"):
            raise ValueError(f"{path.name}:{number}: {key}: quotes or backslashes; this reader takes plain values")
        if key in variables:
            raise ValueError(f"{path.name}:{number}: {key} given twice")
        variables[key] = value
    return variables
