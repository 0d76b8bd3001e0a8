"""The one sending budget: a 429 pauses only its chat for every path, and a caller may refuse to wait."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from telegram.error import RetryAfter

from bot.telegram.outgoing import Outgoing, SlotBusy, retry_seconds

pytestmark = pytest.mark.filterwarnings("ignore::telegram.warnings.PTBDeprecationWarning")  # PTB 22 RetryAfter reads its own int


async def test_a_429_pauses_its_chat_for_replies_and_bulk_sends_alike() -> None:
    out = Outgoing()

    async def refused() -> int:
        raise RetryAfter(dt.timedelta(seconds=30))

    async def accepted() -> int:
        return 1

    with pytest.raises(RetryAfter):
        await out.send(refused, 5, False)
    with pytest.raises(SlotBusy) as caught:  # the reply path sees the pause…
        await out.send(accepted, 5, False, max_wait=1.0)
    assert 28 < caught.value.seconds <= 30 and retry_seconds(caught.value) == caught.value.seconds
    now = time.monotonic()
    assert out.pacer.earliest(5, False, now, bulk=True) > now + 28  # …and so does the delivery worker
    assert await out.send(accepted, 6, False, max_wait=0) == 1  # another chat is not affected


async def test_a_chat_sent_nothing_recently_goes_at_once_and_the_next_waits_its_second() -> None:
    out = Outgoing()

    async def accepted() -> str:
        return "ok"

    started = time.monotonic()
    assert await out.send(accepted, 9, False) == "ok"
    assert time.monotonic() - started < 0.5
    with pytest.raises(SlotBusy):
        await out.send(accepted, 9, False, max_wait=0.5)  # the chat's one message a second
