"""Whose stories a member may read: those posted where they can look themselves.

/article, /section, /latest, /search and the section menu show a member only the stories routed
to channels they can view, so a story posted in a staff-only channel stays among those who can
open it.  discord.py answers that from its cache, except for one case it gets wrong: it gives a
private thread its channel's permissions, whoever the thread's members are.  Only Discord knows
those without the privileged members intent, and it answers one question that needs no intent —
is this user a member of this thread? — so that is asked, for the private threads that hold
stories only, and the answer trusted for a minute.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Collection, Sequence
from dataclasses import dataclass

import discord

log = logging.getLogger("newsbot.commands")

#: Seconds a membership Discord confirmed or denied is trusted: a member just added to a thread
#: waits at most this long to read its stories, and one just removed keeps reading no longer.
MEMBERSHIP_TTL = 60.0
#: Answers kept at most (expired ones go first): bounded memory on a busy server.
MAX_REMEMBERED = 10_000


@dataclass(frozen=True, slots=True)
class Readable:
    """The channels a member can view by discord.py's cache, and the private threads among the
    rest that only Discord can settle (visible through their channel, not the member's own, and
    the member not a moderator)."""

    channels: frozenset[int]
    ask: tuple[discord.Thread, ...]


def readable_places(
    guild: discord.Guild | None, user: discord.abc.User, archived: Sequence[discord.Thread] = ()
) -> Readable:
    """What ``user`` can view in ``guild`` — its channels, its cached threads and the ``archived``
    threads the cache has dropped — by the permissions discord.py works out.

    A private thread is open to its members and to moderators (Manage Threads in its channel):
    its owner and moderators are settled here; anyone else who can view its channel goes to
    ``ask``.  Outside a server (a DM, a user who is not a member): nothing.
    """
    if guild is None or not isinstance(user, discord.Member):
        return Readable(frozenset(), ())
    readable: set[int] = set()
    ask: list[discord.Thread] = []
    for place in (*guild.channels, *guild.threads, *archived):
        try:
            have = place.permissions_for(user)
        except discord.ClientException:  # a thread whose parent is not cached: unknown, so unread
            continue
        if not have.view_channel:
            continue
        if isinstance(place, discord.Thread) and place.is_private() and not (
            have.manage_threads or place.owner_id == user.id
        ):
            ask.append(place)
            continue
        readable.add(place.id)
    return Readable(frozenset(readable), tuple(ask))


class ThreadMembers:
    """Whether a user belongs to a private thread, as Discord answered, remembered for a while."""

    def __init__(self, clock: Callable[[], float] = time.monotonic) -> None:
        self._clock = clock
        self._known: dict[tuple[int, int], tuple[bool, float]] = {}

    async def includes(self, thread: discord.Thread, user_id: int) -> bool:
        """Whether ``user_id`` is a member of ``thread``.  Discord not answering counts as no (the
        stories stay hidden, never shown to the wrong member) and is asked again next time."""
        key = (thread.id, user_id)
        now = self._clock()
        known = self._known.get(key)
        if known is not None and known[1] > now:
            return known[0]
        try:
            await thread.fetch_member(user_id)
            member = True
        except (discord.NotFound, discord.Forbidden):  # not a member; or the bot can no longer see the thread
            member = False
        except (discord.HTTPException, discord.InvalidData) as exc:
            log.warning("could not ask Discord whether %s is a member of thread %s (%s); its stories stay hidden "
                        "from them for now", user_id, thread.id, exc)
            return False
        self._remember(key, member, now)
        return member

    def _remember(self, key: tuple[int, int], member: bool, now: float) -> None:
        if len(self._known) >= MAX_REMEMBERED:
            self._known = {k: v for k, v in self._known.items() if v[1] > now}
            if len(self._known) >= MAX_REMEMBERED:
                self._known.clear()
        self._known[key] = (member, now + MEMBERSHIP_TTL)


async def readable_channel_ids(
    guild: discord.Guild | None, user: discord.abc.User, members: ThreadMembers, *, holding: Collection[int],
    archived: Sequence[discord.Thread] = (),
) -> frozenset[int]:
    """The channels whose stories ``user`` may read: those they can view (``archived`` threads
    too, which the cache has dropped), and the private threads among ``holding`` (where stories
    are posted) that Discord says they belong to."""
    found = readable_places(guild, user, archived)
    asked = [thread for thread in found.ask if thread.id in holding]
    answers = await asyncio.gather(*(members.includes(thread, user.id) for thread in asked))
    return found.channels | {thread.id for thread, yes in zip(asked, answers) if yes}
