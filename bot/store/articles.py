"""Articles with their sections and summaries; writes keep the full-text index in step."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import datetime
from typing import Any

from sqlalchemy import Select, delete, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.model import Article, Section
from bot.store.base import Executor, chunked, insert_for
from bot.store.errors import ArticleExistsError, NotFoundError
from bot.store.outbox import stories_routed_to
from bot.store.records import StoredArticle
from bot.store.schema import articles, sections
from bot.store.search import index_article

#: Most suggestions one autocomplete call returns (Discord shows at most 25 choices).
MAX_SUGGESTIONS = 25

#: Newest first: by publication time, falling back to when we stored it (undated local files
#: would otherwise sink below everything), then by storage time and id for a stable order.
_NEWEST_FIRST = (
    func.coalesce(articles.c.published, articles.c.created_at).desc(),
    articles.c.created_at.desc(),
    articles.c.id.desc(),
)


def _article_values(article: Article) -> dict[str, Any]:
    return {
        "title": article.title,
        "url": article.url,
        "author": article.author,
        "published": article.published,
        "source": article.source,
        "image": article.image,
        "summary": article.summary,
    }


def _section_rows(article_id: int, article: Article) -> list[dict[str, Any]]:
    return [
        {"article_id": article_id, "position": position, "title": s.title, "text": s.text, "summary": s.summary}
        for position, s in enumerate(article.sections)
    ]


async def _write_sections(conn: AsyncConnection, article_id: int, article: Article) -> None:
    rows = _section_rows(article_id, article)
    if rows:
        await conn.execute(insert(sections), rows)


def _routed(query: Select[Any], channels: Collection[int] | None) -> Select[Any]:
    """``query`` kept to the articles routed to one of ``channels``; unchanged when ``channels`` is None."""
    return query if channels is None else query.where(articles.c.id.in_(stories_routed_to(channels)))


async def _load(conn: AsyncConnection, query: Select[Any]) -> list[StoredArticle]:
    """Run an articles query and attach each article's sections, keeping the query's order."""
    rows = list(await conn.execute(query))
    by_article: dict[int, list[Section]] = defaultdict(list)
    for batch in chunked([row.id for row in rows]):
        section_query = (
            select(sections)
            .where(sections.c.article_id.in_(batch))
            .order_by(sections.c.article_id, sections.c.position)
        )
        for s in await conn.execute(section_query):
            by_article[s.article_id].append(Section(title=s.title, text=s.text, summary=s.summary))
    return [
        StoredArticle(
            id=row.id,
            article=Article(
                title=row.title,
                url=row.url,
                author=row.author,
                published=row.published,
                source=row.source,
                image=row.image,
                summary=row.summary,
                sections=tuple(by_article.get(row.id, ())),
            ),
            feed=row.feed,
            fingerprint=row.fingerprint,
            content_hash=row.content_hash,
            created_at=row.created_at,
            url_key=row.url_key,
            updated_at=row.updated_at,
        )
        for row in rows
    ]


class ArticlesMixin(Executor):
    async def insert_article(
        self,
        article: Article,
        *,
        feed: str,
        url_key: str | None,
        fingerprint: int,
        content_hash: str,
        now: datetime,
    ) -> int:
        """Store a new article with its sections and index it; returns its id.

        Raises ArticleExistsError (carrying the existing id) when another article already has
        this ``url_key``.  The transaction stays usable after that error, so the caller can go
        on with the existing article (the conflict is detected with ON CONFLICT DO NOTHING, not
        by letting the database abort the transaction).
        """
        async with self._connect(f"insert_article({article.title[:60]!r}, feed={feed!r})") as conn:
            values = _article_values(article) | {
                "feed": feed,
                "url_key": url_key,
                "fingerprint": fingerprint,
                "content_hash": content_hash,
                "created_at": now,
                "updated_at": now,
            }
            stmt = (
                insert_for(conn, articles)
                .values(values)
                .on_conflict_do_nothing(index_elements=[articles.c.url_key])
                .returning(articles.c.id)
            )
            article_id = (await conn.execute(stmt)).scalar()
            if article_id is None:  # only a non-NULL url_key can conflict
                existing = (await conn.execute(select(articles.c.id).where(articles.c.url_key == url_key))).scalar()
                raise ArticleExistsError(str(url_key), existing)
            await _write_sections(conn, article_id, article)
            await index_article(conn, article_id, article)
            return int(article_id)

    async def update_article(
        self, article_id: int, article: Article, *, content_hash: str, fingerprint: int, now: datetime
    ) -> None:
        """Replace a stored article's text (a feed entry whose text changed): row, sections and index.

        The ``url_key`` and ``feed`` stay as first recorded.  Raises NotFoundError for an unknown id.
        """
        async with self._connect(f"update_article({article_id})") as conn:
            values = _article_values(article) | {
                "content_hash": content_hash,
                "fingerprint": fingerprint,
                "updated_at": now,
            }
            result = await conn.execute(update(articles).where(articles.c.id == article_id).values(values))
            if not result.rowcount:
                raise NotFoundError("article", article_id)
            await conn.execute(delete(sections).where(sections.c.article_id == article_id))
            await _write_sections(conn, article_id, article)
            await index_article(conn, article_id, article)

    async def get_article(self, article_id: int, *, channels: Collection[int] | None = None) -> StoredArticle | None:
        """The article with this id; None when there is none, or it was not routed to one of
        ``channels`` (when given: what one server may read, see bot.config.scope)."""
        async with self._connect(f"get_article({article_id})") as conn:
            found = await _load(conn, _routed(select(articles).where(articles.c.id == article_id), channels))
            return found[0] if found else None

    async def latest_articles(
        self, limit: int, *, feed: str | None = None, channels: Collection[int] | None = None
    ) -> list[StoredArticle]:
        """The newest articles (by publication time, then storage time), optionally of one feed,
        and only those routed to one of ``channels`` when given."""
        query = _routed(select(articles).order_by(*_NEWEST_FIRST).limit(max(0, limit)), channels)
        if feed is not None:
            query = query.where(articles.c.feed == feed)
        async with self._connect("latest_articles") as conn:
            return await _load(conn, query)

    async def articles_since(self, feeds: list[str], since: datetime, limit: int) -> list[StoredArticle]:
        """Articles of these feeds stored at or after ``since``, newest first (for digests and /latest)."""
        if not feeds or limit <= 0:
            return []
        query = (
            select(articles)
            .where(articles.c.feed.in_(list(feeds)), articles.c.created_at >= since)
            .order_by(*_NEWEST_FIRST)
            .limit(limit)
        )
        async with self._connect("articles_since") as conn:
            return await _load(conn, query)

    async def title_suggestions(
        self, text: str, limit: int = MAX_SUGGESTIONS, *, channels: Collection[int] | None = None
    ) -> list[tuple[int, str]]:
        """(id, title) of articles whose title contains ``text`` (any case), newest first; only
        those routed to one of ``channels`` when given.

        For slash-command autocomplete: empty text gives the newest titles.  ``%`` and ``_`` in
        the text are matched literally.
        """
        needle = text.strip()
        query = _routed(
            select(articles.c.id, articles.c.title)
            .order_by(*_NEWEST_FIRST)
            .limit(max(0, min(limit, MAX_SUGGESTIONS))),
            channels,
        )
        if needle:
            query = query.where(articles.c.title.icontains(needle, autoescape=True))
        async with self._connect("title_suggestions") as conn:
            return [(row.id, row.title) for row in await conn.execute(query)]

    async def count_articles(self) -> int:
        async with self._connect("count_articles") as conn:
            return int((await conn.execute(select(func.count()).select_from(articles))).scalar_one())
