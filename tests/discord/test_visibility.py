"""ThreadMembers: what Discord answered about a private thread's members, and for how long it is trusted."""

from __future__ import annotations

import logging
from types import SimpleNamespace
from typing import Any, cast

import discord
import pytest

from bot.discord.visibility import MAX_REMEMBERED, MEMBERSHIP_TTL, ThreadMembers

READER, OUTSIDER = 7, 8


def _error(kind: type[discord.HTTPException], status: int) -> discord.HTTPException:
    return kind(cast(Any, SimpleNamespace(status=status, reason="")), {"code": 0, "message": "nope"})


class Thread:
    """A private thread as ThreadMembers uses it: an id, and Discord's answer to Get Thread Member."""

    def __init__(self, thread_id: int, members: set[int]) -> None:
        self.id = thread_id
        self.members = members
        self.asked: list[int] = []
        self.fail_next: discord.HTTPException | None = None

    async def fetch_member(self, user_id: int) -> object:
        self.asked.append(user_id)
        if self.fail_next is not None:
            error, self.fail_next = self.fail_next, None
            raise error
        if user_id not in self.members:
            raise _error(discord.NotFound, 404)
        return object()


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def _includes(members: ThreadMembers, thread: Thread, user_id: int) -> bool:
    return await members.includes(cast(discord.Thread, thread), user_id)


async def test_an_answer_is_trusted_for_a_minute_then_asked_again() -> None:
    clock = Clock()
    members, thread = ThreadMembers(clock), Thread(1, {READER})
    assert await _includes(members, thread, READER) and not await _includes(members, thread, OUTSIDER)
    assert await _includes(members, thread, READER) and not await _includes(members, thread, OUTSIDER)
    assert thread.asked == [READER, OUTSIDER]  # the second answers came from memory

    thread.members = {OUTSIDER}  # a moderator swaps them
    clock.now += MEMBERSHIP_TTL - 1
    assert await _includes(members, thread, READER)  # still trusted
    clock.now += 1
    assert not await _includes(members, thread, READER) and await _includes(members, thread, OUTSIDER)
    assert thread.asked == [READER, OUTSIDER, READER, OUTSIDER]


async def test_discord_not_answering_hides_the_stories_and_is_asked_again(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.WARNING, logger="newsbot.commands")
    members, thread = ThreadMembers(Clock()), Thread(1, {READER})
    thread.fail_next = _error(discord.DiscordServerError, 503)
    assert not await _includes(members, thread, READER)
    assert any("could not ask Discord whether 7 is a member of thread 1" in r.getMessage() for r in caplog.records)
    assert await _includes(members, thread, READER)  # not remembered: asked again, and answered
    assert thread.asked == [READER, READER]


async def test_a_thread_the_bot_can_no_longer_see_counts_as_no_and_is_remembered() -> None:
    members, thread = ThreadMembers(Clock()), Thread(1, {READER})
    thread.fail_next = _error(discord.Forbidden, 403)
    assert not await _includes(members, thread, READER)
    assert not await _includes(members, thread, READER)
    assert thread.asked == [READER]


async def test_memory_is_bounded_and_drops_expired_answers_first() -> None:
    clock = Clock()
    members = ThreadMembers(clock)
    for thread_id in range(MAX_REMEMBERED - 1):
        await _includes(members, Thread(thread_id, set()), READER)
    clock.now += MEMBERSHIP_TTL  # all of those expire
    fresh = Thread(MAX_REMEMBERED, {READER})
    await _includes(members, fresh, READER)
    await _includes(members, Thread(MAX_REMEMBERED + 1, set()), READER)  # full: the expired go
    assert len(members._known) == 2
    assert await _includes(members, fresh, READER) and fresh.asked == [READER]  # the fresh one kept
