"""Admin notices that can never break the work that raised them, and what each one is about.

A notice names what it concerns (:class:`Concerns`) so that, besides the operator's admin log
channel, it reaches the alert channel of each server it is about (bot.config.alerts routes it) —
and no other server's.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Awaitable, Protocol


@dataclass(frozen=True)
class Concerns:
    """The subscriptions and feeds a notice is about; empty: the operator's business alone
    (a config reload), which no server's alert channel receives."""

    #: Keys of the subscriptions the notice is about (a paused post, a broken channel).
    subscriptions: frozenset[str] = frozenset()
    #: Names of the feeds it is about (failing, disabled, working again): each of their
    #: subscriptions is concerned, so every server the feed posts to hears of it.
    feeds: frozenset[str] = frozenset()

    @classmethod
    def subscription(cls, *keys: str) -> Concerns:
        """A notice about the subscriptions with these keys."""
        return cls(subscriptions=frozenset(keys))

    @classmethod
    def feed(cls, *names: str) -> Concerns:
        """A notice about the feeds with these names."""
        return cls(feeds=frozenset(names))

    def __bool__(self) -> bool:
        return bool(self.subscriptions or self.feeds)


#: The concerns of a notice for the operator alone (config reloaded or refused).
OPERATOR_ONLY = Concerns()


class Notify(Protocol):
    """How the poller and the deliverer tell the admins (``App.notify`` in the running bot)."""

    def __call__(self, text: str, *, concerns: Concerns = OPERATOR_ONLY) -> Awaitable[None]: ...


async def notify_safely(
    notify: Notify | None, text: str, log: logging.Logger, *, concerns: Concerns = OPERATOR_ONLY
) -> None:
    """Send ``text`` to the admins if anyone listens; a failure is logged, never raised,
    because a poll or a delivery must not fail over its own notice."""
    if notify is None:
        return
    try:
        await notify(text, concerns=concerns)
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("could not send an admin notice")
