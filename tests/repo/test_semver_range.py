"""Helm's version constraints (Masterminds semver v3 rules)."""

from __future__ import annotations

import pytest

from pyhelm.semver_range import Constraint, VersionError, matches, parse_version, sort_key


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.2.3", "^1.2", True),
        ("1.9.9", "^1.2.3", True),
        ("2.0.0", "^1.2", False),
        ("0.2.5", "^0.2.3", True),
        ("0.3.0", "^0.2.3", False),
        ("0.0.3", "^0.0.3", True),
        ("0.0.4", "^0.0.3", False),
        ("0.9.0", "^0", True),
        ("1.2.9", "~1.2.3", True),
        ("1.3.0", "~1.2.3", False),
        ("1.9.0", "~1", True),
        ("2.0.0", "~>1", False),
        ("1.2.5", "1.2.x", True),
        ("1.3.0", "1.2.x", False),
        ("1.3.0", "1.*", True),
        ("1.2.0", "1.2", True),
        ("1.2.7", "1.2", True),
        ("1.4.5", "1.2 - 1.4.5", True),
        ("1.1.9", "1.2 - 1.4.5", False),
        ("1.4.6", "1.2 - 1.4.5", False),
        ("1.5.0", ">=1.2, <2.0", True),
        ("1.5.0", ">=1.2 <2.0", True),
        ("2.0.0", ">=1.2, <2.0", False),
        ("3.1.0", ">=1.2 <2 || ^3", True),
        ("2.5.0", ">=1.2 <2 || ^3", False),
        ("2.1.0", "<=2.x", True),
        ("3.0.0", "<=2.x", False),
        ("11.1.0", ">11", False),
        ("12.0.0", ">11", True),
        ("1.2.3", "!=1.2.3", False),
        ("1.2.4", "!=1.2.3", True),
        ("1.2.3", "=v1.2.3", True),
        ("5.0.0", "*", True),
        ("5.0.0", "", True),
    ],
)
def test_constraint_matches_like_helm(version: str, constraint: str, expected: bool) -> None:
    assert matches(version, constraint) is expected


@pytest.mark.parametrize(
    ("version", "constraint", "expected"),
    [
        ("1.0.0-rc.1", ">=1.0.0-0", True),
        ("1.0.0-rc.1", ">=0.1", False),
        ("1.0.0-rc.1", "*", False),
        ("1.0.0-rc.1", "^1.0.0-alpha", True),
        ("1.0.0-alpha", "^1.0.0-beta", False),
        ("1.0.0-rc.1", ">=0.1 || >=1.0.0-0", True),
    ],
)
def test_prereleases_match_only_when_the_group_asks_for_them(
    version: str, constraint: str, expected: bool
) -> None:
    assert matches(version, constraint) is expected


def test_devel_includes_prereleases_everywhere() -> None:
    assert Constraint.parse(">=0.1").allows("1.0.0-rc.1", include_prerelease=True)


@pytest.mark.parametrize("bad", ["not-a-version", ">>1.0", "1.2.3 ||| 2", "^"])
def test_improper_constraints_are_refused_with_examples(bad: str) -> None:
    with pytest.raises(VersionError, match="improper|examples"):
        Constraint.parse(bad)


def test_lenient_versions_and_semver_order() -> None:
    assert str(parse_version("v1.2")) == "1.2.0"
    ordered = sorted(["1.0.0", "1.0.0-rc.1", "0.9.0", "1.10.0", "1.2.0", "junk"], key=sort_key)
    assert ordered == ["junk", "0.9.0", "1.0.0-rc.1", "1.0.0", "1.2.0", "1.10.0"]


def test_unparseable_version_never_matches() -> None:
    assert not matches("junk", "*")


def test_sort_key_orders_exactly_as_semver() -> None:
    import random

    import semver

    versions = [
        "1.0.0",
        "1.0.0-alpha",
        "1.0.0-alpha.1",
        "1.0.0-alpha.beta",
        "1.0.0-beta",
        "1.0.0-beta.2",
        "1.0.0-beta.11",
        "1.0.0-rc.1",
        "0.9.9",
        "2.0.0",
        "10.0.0",
        "1.10.0",
        "1.2.0",
        "1.0.0-0",
    ]
    random.Random(3).shuffle(versions)
    assert sorted(versions, key=sort_key) == sorted(versions, key=semver.Version.parse)
