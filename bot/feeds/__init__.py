"""Feeds: where newsbot's entries come from.

- ``fetch.py`` — I/O: HTTP with conditional GET, redirects, size cap (the network edge).
- ``timing.py`` — pure: when to poll a feed next.
- ``parse.py`` — pure: the bytes of an RSS, Atom or JSON Feed document → ``ParsedFeed``
  (``parse_feed``).
- ``local.py`` — a folder of Markdown/HTML/text article files read as a feed
  (``read_article_file``, ``read_article_folder``).

Nothing is re-exported here on purpose: importing ``bot.feeds.fetch`` should not drag in the
parsers, and callers name the module they mean.
"""
