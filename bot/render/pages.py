"""Lists too long for one embed, cut into pages that an admin turns with ◀ ▶ buttons.

Pure, and cheap enough to redo on every click: a button carries only the page number it leads
to, and the list is re-read and re-cut each time, so a page is always drawn from the data as it is
now (a list that shrank since the buttons were made shows its last page, see :func:`clamp_page`).
"""

from __future__ import annotations

from collections.abc import Sequence

from bot.render.limits import DESCRIPTION_LIMIT, FIELD_VALUE_LIMIT
from bot.render.payloads import Embed
from bot.render.text import truncate

#: The title of the /feeds list pages that show feeds, and of the single embed when all fits in one.
FEEDS_TITLE = "Feeds"
#: The title of the /feeds list pages that show subscriptions (and of their field on a single page).
SUBSCRIPTIONS_TITLE = "Subscriptions"


def paginate(blocks: Sequence[str], limit: int, sep: str = "\n\n") -> list[str]:
    """``blocks`` joined by ``sep`` into pages of at most ``limit`` characters, in order.

    A block is never split across two pages, so a reader sees a feed's name, URL and health
    together; a block longer than a whole page is cut to fit (:func:`truncate`), since dropping it
    would hide that the item exists.  No blocks: no pages.
    """
    if limit < 1:
        raise ValueError(f"paginate: limit must be at least 1, got {limit}")
    pages: list[str] = []
    current: list[str] = []
    used = 0
    for block in blocks:
        block = truncate(block, limit)
        if current and used + len(sep) + len(block) > limit:
            pages.append(sep.join(current))
            current, used = [], 0
        used += (len(sep) if current else 0) + len(block)
        current.append(block)
    if current:
        pages.append(sep.join(current))
    return pages


def clamp_page(page: int, count: int) -> int:
    """``page`` (1-based) within 1…``count``: a button made when the list was longer shows the last page."""
    return max(1, min(page, count))


def numbered_pages(chapters: Sequence[tuple[str, Sequence[str]]]) -> list[Embed]:
    """One embed per page, chapters in order, numbered across all of them.

    Each chapter is (heading, its pages); a page's title is "<heading> — page i of n", so the
    reader knows both what the page lists and how far through the whole list it is.  A lone page
    keeps the bare heading.
    """
    flat = [(heading, text) for heading, pages in chapters for text in pages]
    if len(flat) == 1:
        heading, text = flat[0]
        return [{"title": heading, "description": text}]
    count = len(flat)
    return [
        {"title": f"{heading} — page {number} of {count}", "description": text}
        for number, (heading, text) in enumerate(flat, start=1)
    ]


def feed_list_pages(feed_blocks: Sequence[str], subscription_lines: Sequence[str], *, empty: str) -> list[Embed]:
    """The /feeds list pages: the feed blocks, then the subscription lines.

    When the feeds fit one description and the subscriptions one field, it is a single embed as
    /feeds list always showed it (no buttons to click for a short list).  Otherwise the feeds are
    paged, then the subscriptions, each page one embed.  ``empty`` stands for the feeds when there
    are none.
    """
    feed_pages = paginate(feed_blocks, DESCRIPTION_LIMIT) or [empty]
    subscriptions = "\n".join(subscription_lines)
    if len(feed_pages) == 1 and len(subscriptions) <= FIELD_VALUE_LIMIT:
        embed: Embed = {"title": FEEDS_TITLE, "description": feed_pages[0]}
        if subscriptions:
            embed["fields"] = [{"name": SUBSCRIPTIONS_TITLE, "value": subscriptions}]
        return [embed]
    subscription_pages = paginate(subscription_lines, DESCRIPTION_LIMIT, "\n")
    return numbered_pages([(FEEDS_TITLE, feed_pages), (SUBSCRIPTIONS_TITLE, subscription_pages)])
