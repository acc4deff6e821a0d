"""Links to intranet hosts are kept: feedparser-rs drops them, so such feeds take the fallback."""

import pytest

from bot.feeds.parse import parse_feed


@pytest.mark.parametrize("link", ["http://127.0.0.1:8080/a.html", "http://10.1.2.3/a", "http://192.168.0.5/news/1", "http://localhost/x"])
def test_private_links_survive(link: str) -> None:
    feed = f'<?xml version="1.0"?><rss version="2.0"><channel><title>Intranet</title><item><title>A</title><link>{link}</link></item></channel></rss>'
    assert parse_feed(feed.encode(), source="intranet").entries[0].link == link
