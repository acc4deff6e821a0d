"""Feeds: where newsbot's entries come from.

- ``fetch.py`` — I/O: HTTP with conditional GET, redirects, size cap (the network edge).
- ``addresses.py`` — pure: which IP addresses a fetch may connect to (public ones, and the
  operator's ``network.allow_addresses``), and the sentence that says why another is refused.
- ``timing.py`` — pure: when to poll a feed next.
- ``parse.py`` — pure: the bytes of an RSS, Atom or JSON Feed document → ``ParsedFeed``
  (``parse_feed``).
- ``local.py`` — a folder of Markdown/HTML/text article files read as a feed
  (``read_article_file``, ``read_article_folder``).
- ``remote.py`` — I/O: fetch + parse of a feed URL in one step, for the commands that read a URL
  once (``read_feed_url``); the poller keeps its own conditional fetch.

Nothing is re-exported here on purpose: importing ``bot.feeds.fetch`` should not drag in the
parsers, and callers name the module they mean.
"""
