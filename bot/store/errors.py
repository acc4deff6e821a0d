"""The store's own errors, and the one place where driver errors become them.

    StoreError                 (bot.errors) the database refused or failed
    ├── ArticleExistsError     an article with this normalized URL is already stored
    └── NotFoundError          the row an update names does not exist (feed, article, outbox row)

Every public store method runs inside :func:`translating`, so callers only ever see
``StoreError`` (with the driver's exception chained as ``__cause__``), never a raw
``sqlalchemy.exc`` or ``asyncpg`` exception.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import exc as sa_exc

from bot.errors import StoreError

__all__ = ["ArticleExistsError", "NotFoundError", "StoreError", "translating"]

#: How much of a driver's message we keep: enough to diagnose, short enough for a log line.
MAX_REASON_CHARS = 500


class ArticleExistsError(StoreError):
    """Another article already has this ``url_key``: the same story, stored before (or by a concurrent worker).

    Raised without breaking the surrounding transaction, so the caller can fall back to the
    existing ``article_id`` (e.g. record the entry as seen with it).
    """

    def __init__(self, url_key: str, article_id: int | None):
        super().__init__(f"an article with url_key {url_key!r} is already stored (id {article_id})")
        self.url_key = url_key
        self.article_id = article_id


class NotFoundError(StoreError):
    """An update named a row that is not there; ``kind`` is 'feed', 'article' or 'outbox row'."""

    def __init__(self, kind: str, key: object):
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


def describe(error: BaseException) -> str:
    """The driver's own message, without the SQL and parameters SQLAlchemy appends (they can be huge)."""
    cause = getattr(error, "orig", None) or error
    text = " ".join(str(cause).split()) or type(cause).__name__
    if len(text) > MAX_REASON_CHARS:
        text = text[: MAX_REASON_CHARS - 1] + "…"
    return f"{type(cause).__name__}: {text}"


@contextmanager
def translating(what: str) -> Iterator[None]:
    """Turn driver failures inside the block into ``StoreError("<what>: <driver message>")``.

    OSError is included because asyncpg raises plain ``ConnectionRefusedError`` & co. when the
    server is unreachable.  Our own StoreErrors pass through untouched.
    """
    try:
        yield
    except StoreError:
        raise
    except (sa_exc.SQLAlchemyError, OSError) as error:
        raise StoreError(f"{what}: {describe(error)}") from error
