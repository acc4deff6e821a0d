"""The operator's cap on the feeds one Discord server may have (``discord.max_feeds_per_server``).

The operator pays for every poll, and any server's admins can add feeds (``/feeds add``, a whole
OPML list with ``/feeds import``).  A server's count is the feeds it owns (bot.config.scope: all of
whose subscriptions post to its channels), hand-written ones included, as they cost polls too.  A
cap only refuses additions: a server over it (the operator lowered it, or wrote feeds for it) keeps
every feed.  The operator's own ``newsbot feeds import`` is never capped.  Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The config key, as the admins' messages name it (they ask the operator to change it).
CAP_KEY = "max_feeds_per_server"


@dataclass(frozen=True)
class FeedCap:
    """One server's standing against the cap, when its admins add feeds."""

    #: Feeds the server has now (``len(GuildScope.owned)``).
    count: int
    #: ``discord.max_feeds_per_server``; 0: no cap.
    cap: int

    @property
    def left(self) -> int | None:
        """How many feeds the server may still add; None: any number (no cap)."""
        return feeds_left(self.count, self.cap)

    def refusal(self, added: int = 0, *, dry_run: bool = False) -> str:
        """Why no (further) feed may be added, once ``added`` more have been (or, ``dry_run``, would be).

        Lowercase, to follow "skipped: …" in an import's report; ``/feeds add`` capitalizes it.
        """
        return cap_refusal(self.count + added, self.cap, would=dry_run)


def feeds_left(count: int, cap: int) -> int | None:
    """How many more feeds a server with ``count`` may add under ``cap``: never fewer than 0, None when ``cap`` is 0."""
    if cap <= 0:
        return None
    return max(0, cap - count)


def cap_refusal(count: int, cap: int, *, would: bool = False) -> str:
    """The reason a server with ``count`` feeds may add none under ``cap``, saying what to do.

    ``would``: the count is what a dry run would leave.  Over the cap (the operator lowered it, or
    wrote feeds for the server), the reason says how many to remove before one more fits.
    """
    follows = "would follow" if would else "follows"
    if count <= cap:
        return (f"this server {follows} {count} feed{'s' if count != 1 else ''}, the most this bot allows "
                f"({CAP_KEY}); remove one with /feeds remove first")
    excess = count - cap + 1
    return (f"this server {follows} {count} feeds, more than the {cap} this bot allows ({CAP_KEY}); "
            f"remove {excess} with /feeds remove first")
