"""Full-text search over stored articles, behind one function per direction (index, query).

Each dialect uses its own engine, created by the initial migration:

* SQLite: an FTS5 virtual table ``article_fts(title, body)`` keyed by the article id (its rowid),
  Porter-stemmed, ranked with ``bm25`` weighting the title ten times the body.  User input never
  reaches FTS5's query syntax: it is cut into word tokens and each token is quoted, so ``"`` or
  ``AND OR`` or ``NEAR(`` are just words (or nothing).  The tokens are AND-ed.
* PostgreSQL: a table ``article_search(article_id, title, body, document tsvector, config)`` with
  a GIN index; the document weights the title A and the body B; queries go through
  ``websearch_to_tsquery`` (which accepts any input, quotes/``or``/``-word`` included) and are
  ranked with ``ts_rank``.  Each story is stemmed in its own language (``config``: the text search
  configuration of the language its stop words name, see bot/articles/stopwords.py; English's
  for a language PostgreSQL has none for), and a query is read in each story's language: the GIN
  index finds the stories matching the query read in any of the languages, and each is kept when
  it matches the query read in its own.

Chinese, Japanese and the other scripts written without spaces have no words for either engine to
find: each run of them is indexed, and searched for, one character at a time (a zero-width space
between the characters, which both engines read as a word break), and a run in a query is the
phrase of its characters, so "地铁" finds "地铁线路" and not "铁地".  Snippets drop the zero-width
spaces again.

These tables are not in ``schema.metadata`` (they are not portable); ``is_search_table`` tells
the migration environment and the schema comparison to leave them alone.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from typing import Any

from sqlalchemy import TextClause, bindparam, text
from sqlalchemy.ext.asyncio import AsyncConnection

from bot.articles.summarize import article_language
from bot.articles.words import has_unspaced, spaced_characters
from bot.model import Article
from bot.store.base import Executor, chunked
from bot.store.outbox import stories_routed_to
from bot.store.records import SearchHit

#: SQLite's FTS5 table (its shadow tables share the prefix).
FTS_TABLE = "article_fts"
#: PostgreSQL's tsvector table.
PG_SEARCH_TABLE = "article_search"
#: PostgreSQL text search configuration (stemming and stop words) for a story in a language
#: PostgreSQL has none for, and for every story stored before migration 0006.
PG_TS_CONFIG = "english"
#: The languages (as the stop-words package names them) PostgreSQL 12 and later ships a text
#: search configuration of the same name for.
PG_TS_CONFIGS = (
    "arabic", "danish", "dutch", "english", "finnish", "french", "german", "greek", "hungarian",
    "indonesian", "italian", "norwegian", "portuguese", "romanian", "russian", "spanish", "swedish",
    "turkish",
)
#: bm25 column weights on SQLite: (title, body).
FTS_WEIGHTS = (10.0, 1.0)
#: At most this many words of a query are used; the rest is ignored.
MAX_QUERY_TERMS = 16
#: Text beyond this many characters is not indexed (PostgreSQL caps a tsvector at 1 MB).
MAX_INDEXED_CHARS = 200_000
#: Upper bound on results per query.
MAX_LIMIT = 100

_WORD = re.compile(r"\w+", re.UNICODE)
#: What the index puts between the characters of an unspaced run: a word break to FTS5's unicode61
#: tokenizer and to PostgreSQL's parser, and nothing a reader sees.
CHARACTER_BREAK = "\u200b"


def is_search_table(name: str) -> bool:
    """True for the dialect-specific search tables (and FTS5's shadow tables)."""
    return name == PG_SEARCH_TABLE or name.startswith(FTS_TABLE)


def search_terms(query: str) -> list[str]:
    """The words of a user's query, in order, at most :data:`MAX_QUERY_TERMS`."""
    return _WORD.findall(query)[:MAX_QUERY_TERMS]


def fts5_query(terms: list[str]) -> str:
    """An FTS5 MATCH expression that AND-s the terms, each quoted so none is read as syntax.

    ``\\w+`` tokens contain no double quote, so quoting cannot be broken out of.  A term in an
    unspaced script becomes the phrase of its characters, as they were indexed.
    """
    return " ".join(f'"{spaced_characters(term, CHARACTER_BREAK)}"' for term in terms)


def websearch_query(query: str) -> str:
    """The member's query for ``websearch_to_tsquery``, each unspaced run the phrase of its characters.

    Outside double quotes a run is put in quotes of its own; inside the member's quotes it is
    already part of a phrase.
    """
    if not has_unspaced(query):
        return query
    parts = query.split('"')
    # Even parts are outside quotes, odd ones inside (an unclosed quote runs to the end, as
    # websearch_to_tsquery reads it).
    return '"'.join(
        spaced_characters(part, CHARACTER_BREAK) if index % 2 else _quoted_runs(part)
        for index, part in enumerate(parts)
    )


def _quoted_runs(text: str) -> str:
    return spaced_characters(text, CHARACTER_BREAK, before=' "', after='" ')


def document(article: Article) -> tuple[str, str]:
    """(title, body) to index: the body is every section's heading and text, in order."""
    parts: list[str] = []
    for section in article.sections:
        if section.title:
            parts.append(section.title)
        if section.text:
            parts.append(section.text)
    body = "\n\n".join(parts) or article.summary
    return article.title[:MAX_INDEXED_CHARS], body[:MAX_INDEXED_CHARS]


_SQLITE_DELETE = text(f"DELETE FROM {FTS_TABLE} WHERE rowid = :id")
_SQLITE_INSERT = text(f"INSERT INTO {FTS_TABLE} (rowid, title, body) VALUES (:id, :title, :body)")
_PG_UPSERT = text(
    f"""
    INSERT INTO {PG_SEARCH_TABLE} (article_id, title, body, document, config)
    VALUES (
        :id, CAST(:title AS text), CAST(:body AS text),
        setweight(to_tsvector(CAST(:config AS regconfig), CAST(:title AS text)), 'A')
        || setweight(to_tsvector(CAST(:config AS regconfig), CAST(:body AS text)), 'B'),
        CAST(:config AS regconfig)
    )
    ON CONFLICT (article_id) DO UPDATE
    SET title = excluded.title, body = excluded.body, document = excluded.document, config = excluded.config
    """
)

_SQLITE_UNINDEX = text(f"DELETE FROM {FTS_TABLE} WHERE rowid IN :ids").bindparams(bindparam("ids", expanding=True))
#: PostgreSQL's rows also go by ON DELETE CASCADE; deleting them first keeps both dialects on one path.
_PG_UNINDEX = text(f"DELETE FROM {PG_SEARCH_TABLE} WHERE article_id IN :ids").bindparams(
    bindparam("ids", expanding=True)
)

#: Where a query's scope condition goes (see :func:`_scoped`).
_SCOPE = "/*scope*/"

_SQLITE_SEARCH = (
    f"""
    SELECT f.rowid AS article_id, a.title AS title, a.url AS url,
           snippet({FTS_TABLE}, 1, '', '', '…', 24) AS snippet,
           -bm25({FTS_TABLE}, {FTS_WEIGHTS[0]}, {FTS_WEIGHTS[1]}) AS rank
    FROM {FTS_TABLE} AS f JOIN articles AS a ON a.id = f.rowid
    WHERE {FTS_TABLE} MATCH :match{_SCOPE}
    ORDER BY bm25({FTS_TABLE}, {FTS_WEIGHTS[0]}, {FTS_WEIGHTS[1]}), f.rowid DESC
    LIMIT :limit
    """
)
#: ts_headline's options: the snippet of a PostgreSQL hit.
_HEADLINE = 'StartSel="", StopSel="", MaxWords=35, MinWords=15, MaxFragments=1'
#: For a query in an unspaced script: each indexed character is a word ts_headline deems too
#: short to open or close a fragment (ShortWord, 3 by default, meant for "the" and "a"), so
#: the snippet shrank to the matched characters alone.
_HEADLINE_CHARACTERS = _HEADLINE + ", ShortWord=0"
#: The query read in every language a story may be stemmed in, OR-ed: what the GIN index can look up.
_ANY_LANGUAGE = " || ".join(f"websearch_to_tsquery('{config}', CAST(:query AS text))" for config in PG_TS_CONFIGS)
_PG_SEARCH = (
    f"""
    SELECT hit.article_id AS article_id, a.title AS title, a.url AS url,
           ts_headline(hit.config, hit.body, websearch_to_tsquery(hit.config, CAST(:query AS text)),
                       CAST(:headline AS text)) AS snippet,
           hit.rank AS rank
    FROM (
        SELECT s.article_id, s.body, s.config,
               ts_rank(s.document, websearch_to_tsquery(s.config, CAST(:query AS text))) AS rank
        FROM {PG_SEARCH_TABLE} AS s
        WHERE s.document @@ ({_ANY_LANGUAGE})
          AND s.document @@ websearch_to_tsquery(s.config, CAST(:query AS text)){_SCOPE}
        ORDER BY rank DESC, s.article_id DESC
        LIMIT :limit
    ) AS hit
    JOIN articles AS a ON a.id = hit.article_id
    ORDER BY hit.rank DESC, hit.article_id DESC
    """
)


def pg_config(article: Article) -> str:
    """The PostgreSQL text search configuration of the article's language (English's if it has none)."""
    language = article_language([[article.title, *(section.text for section in article.sections)]])
    return language if language in PG_TS_CONFIGS else PG_TS_CONFIG


async def index_article(conn: AsyncConnection, article_id: int, article: Article) -> None:
    """(Re)index one article, in the caller's transaction so the index never disagrees with the rows."""
    title, body = (spaced_characters(text, CHARACTER_BREAK) for text in document(article))
    params: dict[str, Any] = {"id": article_id, "title": title, "body": body}
    if conn.dialect.name == "postgresql":
        await conn.execute(_PG_UPSERT, {**params, "config": pg_config(article)})
    else:
        await conn.execute(_SQLITE_DELETE, {"id": article_id})
        await conn.execute(_SQLITE_INSERT, params)


async def unindex_articles(conn: AsyncConnection, article_ids: Collection[int]) -> None:
    """Drop these articles from the index, in the caller's transaction (the one deleting them).

    SQLite's FTS5 table has no foreign key to cascade from: without this, a pruned story would
    leave its words behind, matched by nothing and never cleaned up.
    """
    statement = _PG_UNINDEX if conn.dialect.name == "postgresql" else _SQLITE_UNINDEX
    for batch in chunked(sorted(article_ids)):
        await conn.execute(statement, {"ids": batch})


def _scoped(conn: AsyncConnection, sql: str, column: str, channels: Collection[int] | None) -> TextClause:
    """``sql`` keeping ``column`` (an article id) to the stories routed to ``channels``; any when None.

    The condition is the store's one definition (:func:`stories_routed_to`), rendered inline: its
    only values are integer channel ids and the outbox's kind names, so inlining them is safe.
    """
    if channels is None:
        return text(sql.replace(_SCOPE, ""))
    routed = stories_routed_to([int(channel) for channel in channels])
    inline = routed.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True})
    return text(sql.replace(_SCOPE, f" AND {column} IN ({inline})"))


async def search_articles(
    conn: AsyncConnection, query: str, limit: int, channels: Collection[int] | None = None
) -> list[SearchHit]:
    """Articles matching ``query``, best first; [] when the query has no searchable words.

    ``channels``: only the stories routed to one of them (one server's, see bot.config.scope).
    """
    limit = max(0, min(limit, MAX_LIMIT))
    terms = search_terms(query)
    if not terms or limit == 0 or (channels is not None and not channels):
        return []
    if conn.dialect.name == "postgresql":
        # websearch_to_tsquery never raises on user input; NUL is the one thing PostgreSQL text refuses.
        params: dict[str, Any] = {
            "query": websearch_query(query.replace("\x00", " ")),
            "headline": _HEADLINE_CHARACTERS if has_unspaced(query) else _HEADLINE,
            "limit": limit,
        }
        rows = await conn.execute(_scoped(conn, _PG_SEARCH, "s.article_id", channels), params)
    else:
        rows = await conn.execute(_scoped(conn, _SQLITE_SEARCH, "f.rowid", channels), {"match": fts5_query(terms), "limit": limit})
    return [
        SearchHit(
            article_id=row.article_id,
            title=row.title,
            url=row.url,
            snippet=" ".join((row.snippet or "").replace(CHARACTER_BREAK, "").split()),
            rank=float(row.rank),
        )
        for row in rows
    ]


class SearchMixin(Executor):
    async def search(self, query: str, limit: int = 10, *, channels: Collection[int] | None = None) -> list[SearchHit]:
        """Full-text search over stored articles (title and every section), best match first;
        only the stories routed to one of ``channels`` when given.

        Any user input is safe: quotes, operators or punctuation never raise, they just match
        less (or nothing).
        """
        async with self._connect("search") as conn:
            return await search_articles(conn, query, limit, channels)
