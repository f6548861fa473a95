"""``.helmignore`` rules, as Helm reads them.

One pattern per line; ``#`` starts a comment; ``!`` negates; a trailing ``/``
matches folders only; a pattern with a ``/`` in it matches the path relative
to the chart root, one without matches any path's last element. Later rules
win over earlier ones.
"""

from __future__ import annotations

from fnmatch import fnmatchcase


class _Rule:
    # A plain class, not a dataclass: making a dataclass costs ~1 ms at import, on every run.
    __slots__ = ("pattern", "negate", "dir_only")

    def __init__(self, pattern: str, negate: bool, dir_only: bool) -> None:
        self.pattern = pattern
        self.negate = negate
        self.dir_only = dir_only

    def matches(self, path: str, is_dir: bool) -> bool:
        if self.dir_only and not is_dir:
            return False
        if "/" in self.pattern:
            return fnmatchcase(path, self.pattern.lstrip("/"))
        return fnmatchcase(path.rsplit("/", 1)[-1], self.pattern)


class HelmIgnore:
    """A parsed ``.helmignore``; ``ignored(path, is_dir)`` answers for one path."""

    def __init__(self, text: str = "") -> None:
        self._rules: list[_Rule] = []
        for line in text.splitlines():
            line = line.strip()
            if not line or line.startswith("#"):
                continue
            negate = line.startswith("!")
            line = line[1:] if negate else line
            dir_only = line.endswith("/")
            line = line.rstrip("/")
            if line:
                self._rules.append(_Rule(line, negate, dir_only))

    def ignored(self, path: str, is_dir: bool = False) -> bool:
        verdict = False
        for rule in self._rules:
            if rule.matches(path, is_dir):
                verdict = not rule.negate
        return verdict
