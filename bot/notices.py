"""Admin notices that can never break the work that raised them."""

from __future__ import annotations

import logging
from typing import Awaitable, Callable

Notify = Callable[[str], Awaitable[None]]


async def notify_safely(notify: Notify | None, text: str, log: logging.Logger) -> None:
    """Send ``text`` to the admins if anyone listens; a failure is logged, never raised,
    because a poll or a delivery must not fail over its own notice."""
    if notify is None:
        return
    try:
        await notify(text)
    except Exception:  # noqa: BLE001 - see the docstring
        log.exception("could not send an admin notice")
