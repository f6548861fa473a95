"""limit/continue: later pages come from the first page's snapshot."""

from __future__ import annotations

import pytest

from pyhelm.cluster.kubeapi.paging import Pager
from pyhelm.cluster.kubeapi.status import ApiError


def test_pages_come_from_one_snapshot():
    state = {"rv": 7, "items": [{"n": n} for n in range(5)]}
    pager = Pager()

    def fetch():
        return state["rv"], list(state["items"])

    rv, first, token = pager.page("2", None, fetch)
    assert (rv, first) == (7, [{"n": 0}, {"n": 1}]) and token
    state["items"].append({"n": 99})  # a change after the first page is not seen
    rv, second, token = pager.page("2", token, fetch)
    assert (rv, second) == (7, [{"n": 2}, {"n": 3}])
    rv, third, token = pager.page("2", token, fetch)
    assert third == [{"n": 4}] and token == ""


def test_no_limit_returns_everything_without_a_token():
    assert Pager().page(None, None, lambda: (1, [{"n": 1}])) == (1, [{"n": 1}], "")


def test_unknown_or_evicted_continue_token_is_410_expired():
    pager = Pager(keep=1)
    _, _, old = pager.page("1", None, lambda: (1, [{}, {}]))
    pager.page("1", None, lambda: (2, [{}, {}]))
    for token in (old, "bogus"):
        with pytest.raises(ApiError) as caught:
            pager.page("1", token, lambda: (3, []))
        assert caught.value.code == 410 and caught.value.reason == "Expired"
