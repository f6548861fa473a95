"""Release output as Helm prints it: times, tables."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import UTC, datetime

import pytest

from pyhelm.release.printer import ansic, go_time, table


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


@pytest.mark.parametrize(
    ("micro", "text"),
    [
        (0, "2026-01-02 10:00:00 +0000 UTC"),
        (500000, "2026-01-02 10:00:00.5 +0000 UTC"),
        (233622, "2026-01-02 10:00:00.233622 +0000 UTC"),
    ],
)
def test_list_times_read_as_go_prints_them(utc: None, micro: int, text: str) -> None:
    assert go_time(datetime(2026, 1, 2, 10, 0, 0, micro, tzinfo=UTC)) == text


def test_history_times_use_gos_ansic_layout(utc: None) -> None:
    assert ansic(datetime(2026, 1, 2, 10, 0, 0, tzinfo=UTC)) == "Fri Jan  2 10:00:00 2026"
    assert ansic(datetime(2026, 11, 25, 17, 46, 58, tzinfo=UTC)) == "Wed Nov 25 17:46:58 2026"


def test_tables_pad_columns_and_keep_cells_on_one_line() -> None:
    text = table(("NAME", "STATUS"), [["web", "deployed"], ["a", "failed:\nboom"]])
    assert text == "NAME\tSTATUS\nweb \tdeployed\na   \tfailed: boom\n"
    assert table(("NAME",), [["web"]], no_headers=True) == "web\n"
