"""Helm's version constraints (Masterminds semver v3) on top of the ``semver`` package.

Syntax: comparisons ``=  !=  >  <  >=  =>  <=  =<``, tilde ``~1.2`` / ``~>1.2``,
caret ``^1.2``, x-ranges ``1.2.x`` / ``1.*`` / ``*`` (a missing part counts as
``x``), hyphen ranges ``1.2 - 1.4.5``; terms joined by ``,`` or spaces must all
hold (and), groups joined by ``||`` are alternatives (or).

Pre-release rule: a version with a pre-release (``1.0.0-rc.1``) matches an
``||`` group only when some term of that group has a pre-release itself
(``>=1.0.0-0``), or when ``include_prerelease`` is asked for (``--devel``).

Versions are read leniently, as Helm does: ``v1.2``, ``1.2`` and ``1`` are
``1.2.0``, ``1.2.0`` and ``1.0.0``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any

from pyhelm.errors import PyHelmError

if TYPE_CHECKING:
    import semver

_PART = r"[0-9xX*]+"
_CV = (
    rf"v?({_PART})(\.{_PART})?(\.{_PART})?"
    r"(-([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?(\+([0-9A-Za-z\-]+(\.[0-9A-Za-z\-]+)*))?"
)
_OPS = r"=|!=|>|<|>=|=>|<=|=<|~|~>|\^"
_PATTERNS = {
    "term": rf"^\s*({_OPS}|)\s*({_CV})\s*$",
    "find": rf"({_OPS}|)\s*({_CV})",
    "group": rf"^(\s*({_OPS}|)\s*({_CV})\s*)((?:\s+|,\s*)({_OPS}|)\s*({_CV})\s*)*$",
    "range": rf"\s*({_CV})\s+-\s+({_CV})\s*",
}


@cache
def _re(name: str) -> re.Pattern[str]:
    """The constraint grammar's regular expressions, compiled on first use (startup stays cheap)."""
    return re.compile(_PATTERNS[name])


_VERSION_RE = re.compile(
    r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(-[0-9A-Za-z.\-]+)?(\+[0-9A-Za-z.\-]+)?$"
)


class VersionError(PyHelmError):
    """A version or a version constraint cannot be parsed."""


@lru_cache(maxsize=65536)
def parse_version(text: str) -> semver.Version:
    """Parse a version leniently (``v`` prefix, missing minor/patch); ``VersionError`` if not one."""
    import semver

    m = _VERSION_RE.match(str(text).strip())
    if not m:
        raise VersionError(
            f"{text!r} is not a valid version (expected MAJOR.MINOR.PATCH, e.g. 1.2.3)"
        )
    major, minor, patch, pre, build = m.groups()
    return semver.Version(
        int(major),
        int(minor or 0),
        int(patch or 0),
        pre[1:] if pre else None,
        build[1:] if build else None,
    )


def is_version(text: str) -> bool:
    """True when ``text`` parses as a (lenient) version."""
    return bool(_VERSION_RE.match(str(text).strip()))


@lru_cache(maxsize=65536)
def sort_key(text: str) -> tuple[Any, ...]:
    """A key that orders versions by SemVer precedence; unparseable versions sort lowest.

    Equal to ``semver.Version`` ordering (release after its pre-releases,
    numeric identifiers below alphanumeric ones), without building objects:
    sorting a large index stays cheap.
    """
    m = _VERSION_RE.match(text.strip())
    if not m:
        return (0,)
    major, minor, patch, pre, _ = m.groups()
    pre_key: tuple[Any, ...] = (1,)
    if pre:
        pre_key = (
            0,
            tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre[1:].split(".")),
        )
    return (1, int(major), int(minor or 0), int(patch or 0), pre_key)


def _is_x(part: str | None) -> bool:
    return part in ("x", "X", "*")


@dataclass(frozen=True)
class _Term:
    op: str
    con: semver.Version
    dirty: bool = False
    minor_dirty: bool = False
    patch_dirty: bool = False

    @classmethod
    def parse(cls, text: str) -> _Term:
        m = _re("term").match(text)
        if not m:
            raise VersionError(f"improper constraint term {text.strip()!r}")
        op = m.group(1)
        major, minor, patch = m.group(3), (m.group(4) or "")[1:], (m.group(5) or "")[1:]
        pre = m.group(7)
        tail = f"-{pre}" if pre else ""
        if _is_x(major):
            return cls(op, parse_version(f"0.0.0{tail}"), dirty=True)
        if not minor or _is_x(minor):
            return cls(op, parse_version(f"{major}.0.0{tail}"), dirty=True, minor_dirty=True)
        if not patch or _is_x(patch):
            return cls(op, parse_version(f"{major}.{minor}.0{tail}"), dirty=True, patch_dirty=True)
        return cls(op, parse_version(f"{major}.{minor}.{patch}{tail}"))

    def check(self, v: semver.Version) -> bool:
        return _OPS_TABLE[self.op](self, v)


def _cmp(a: semver.Version, b: semver.Version) -> int:
    return a.compare(b)


def _eq(t: _Term, v: semver.Version) -> bool:
    return _tilde(t, v) if t.dirty else _cmp(v, t.con) == 0


def _ne(t: _Term, v: semver.Version) -> bool:
    if t.dirty:
        if t.con.major != v.major:
            return True
        if t.minor_dirty:
            return False
        if t.con.minor != v.minor:
            return True
        if t.patch_dirty:
            return (v.prerelease or "") != (t.con.prerelease or "")
        if t.con.patch != v.patch:
            return True
    return _cmp(v, t.con) != 0


def _gt(t: _Term, v: semver.Version) -> bool:
    if not t.dirty:
        return _cmp(v, t.con) > 0
    if v.major != t.con.major:
        return v.major > t.con.major
    if t.minor_dirty:
        return False
    if t.patch_dirty:
        return v.minor > t.con.minor
    return _cmp(v, t.con) > 0


def _lt(t: _Term, v: semver.Version) -> bool:
    return _cmp(v, t.con) < 0


def _ge(t: _Term, v: semver.Version) -> bool:
    return _cmp(v, t.con) >= 0


def _le(t: _Term, v: semver.Version) -> bool:
    if not t.dirty:
        return _cmp(v, t.con) <= 0
    if v.major > t.con.major:
        return False
    return not (v.major == t.con.major and v.minor > t.con.minor and not t.minor_dirty)


def _tilde(t: _Term, v: semver.Version) -> bool:
    if _cmp(v, t.con) < 0:
        return False
    if (
        (t.con.major, t.con.minor, t.con.patch) == (0, 0, 0)
        and not t.minor_dirty
        and not t.patch_dirty
    ):
        return True
    if v.major != t.con.major:
        return False
    return t.minor_dirty or v.minor == t.con.minor


def _caret(t: _Term, v: semver.Version) -> bool:
    if _cmp(v, t.con) < 0:
        return False
    if t.con.major > 0 or t.minor_dirty:
        return v.major == t.con.major
    if v.major > 0:
        return False
    if t.con.minor > 0 or t.patch_dirty:
        return v.minor == t.con.minor
    if v.minor > 0:
        return False
    return v.patch == t.con.patch


_OPS_TABLE = {
    "": _eq,
    "=": _eq,
    "!=": _ne,
    ">": _gt,
    "<": _lt,
    ">=": _ge,
    "=>": _ge,
    "<=": _le,
    "=<": _le,
    "~": _tilde,
    "~>": _tilde,
    "^": _caret,
}


@dataclass(frozen=True)
class Constraint:
    """A parsed constraint: ``Constraint.parse(">=1.2, <2 || ^3").allows("1.4.0")``."""

    text: str
    groups: tuple[tuple[tuple[_Term, ...], bool], ...]  # (terms, group has a pre-release)

    @classmethod
    def parse(cls, text: str) -> Constraint:
        """Parse ``text``; ``VersionError`` names the bad part. Empty or ``*`` allows any release."""
        rewritten = _re("range").sub(lambda m: f" >= {m.group(1)}, <= {m.group(11)} ", text)
        groups = []
        for raw in rewritten.split("||"):
            if not raw.strip():
                terms: tuple[_Term, ...] = (_Term("", parse_version("0.0.0"), dirty=True),)
            else:
                if not _re("group").match(raw):
                    raise VersionError(
                        f"improper version constraint {text!r} near {raw.strip()!r} "
                        "(examples: 1.2.3, ^1.2, ~0.1, >=1.0 <2.0, 1.x, 1.0 - 1.4)"
                    )
                terms = tuple(_Term.parse(m.group(0)) for m in _re("find").finditer(raw))
            groups.append((terms, any(t.con.prerelease for t in terms)))
        return cls(text, tuple(groups))

    def allows(self, version: str | semver.Version, include_prerelease: bool = False) -> bool:
        """True when ``version`` satisfies some ``||`` group; unparseable versions never do."""
        if isinstance(version, str):
            try:
                version = parse_version(version)
            except VersionError:
                return False
        for terms, has_pre in self.groups:
            if version.prerelease and not (has_pre or include_prerelease):
                continue
            if all(t.check(version) for t in terms):
                return True
        return False


@lru_cache(maxsize=1024)
def constraint(text: str) -> Constraint:
    """``Constraint.parse`` with a cache: constraints repeat a lot while resolving."""
    return Constraint.parse(text)


def matches(version: str, constraint_text: str, include_prerelease: bool = False) -> bool:
    """Shorthand: does ``version`` satisfy ``constraint_text``?"""
    return constraint(constraint_text).allows(version, include_prerelease)
