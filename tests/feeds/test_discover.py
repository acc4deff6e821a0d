"""advertised_feeds on hand-made pages: which <link>s count, how they resolve, in what order."""

from __future__ import annotations

import pytest

from bot.feeds.discover import MAX_FEED_LINKS, MAX_SCAN_CHARS, FeedLink, advertised_feeds

PAGE_URL = "https://news.example/world/index.html"


def page(head: str, body: str = "<p>Hello</p>") -> str:
    return f"<!doctype html><html><head><title>News</title>{head}</head><body>{body}</body></html>"


def urls(html: str, page_url: str = PAGE_URL) -> list[str]:
    return [link.url for link in advertised_feeds(html, page_url)]


def test_a_typical_homepage_gives_its_feed_with_title_and_type() -> None:
    html = page(
        '<link rel="stylesheet" href="/site.css">'
        '<link rel="alternate" type="application/rss+xml" title="  News \n Feed " href="https://news.example/feed/">'
        '<link rel="alternate" hreflang="fr" href="https://news.example/fr/">'
        '<link rel="alternate" type="application/json+oembed" href="/oembed?u=1">'
    )
    assert advertised_feeds(html, PAGE_URL) == [
        FeedLink(url="https://news.example/feed/", title="News Feed", type="application/rss+xml")
    ]


@pytest.mark.parametrize(
    "href, expected",
    [
        ("feed.xml", "https://news.example/world/feed.xml"),
        ("/rss", "https://news.example/rss"),
        ("../atom.xml", "https://news.example/atom.xml"),
        ("//feeds.example/news", "https://feeds.example/news"),
        ("http://other.example/feed?a=1&b=2", "http://other.example/feed?a=1&b=2"),
        ("  /feed.xml\n ", "https://news.example/feed.xml"),
        ("/feed.xml#latest", "https://news.example/feed.xml"),
        ("/my feed.xml", "https://news.example/my%20feed.xml"),
        ("/nachrichten/übersicht.xml", "https://news.example/nachrichten/%C3%BCbersicht.xml"),
        ("/x/<@&123>.xml", "https://news.example/x/%3C@&123%3E.xml"),
        ("?feed=rss2", "https://news.example/world/index.html?feed=rss2"),
        ("HTTPS://News.Example", "https://News.Example/"),
    ],
)
def test_hrefs_resolve_against_the_page_url_and_come_out_percent_encoded(href: str, expected: str) -> None:
    html = page(f'<link rel="alternate" type="application/rss+xml" href="{href}">')
    assert urls(html) == [expected]


@pytest.mark.parametrize(
    "href",
    ["javascript:alert(1)", "data:application/rss+xml,<rss/>", "feed://news.example/rss", "ftp://news.example/rss",
     "mailto:x@news.example", "", "   ", "http://[::1/feed", "http:///nohost"],
)
def test_only_http_links_with_a_host_count(href: str) -> None:
    assert urls(page(f'<link rel="alternate" type="application/rss+xml" href="{href}">')) == []


def test_base_href_is_the_base_of_every_link_even_those_before_it() -> None:
    html = page(
        '<link rel="alternate" type="application/atom+xml" href="atom.xml">'
        '<base href="https://cdn.example/blog/">'
        '<base href="https://ignored.example/">'
        '<link rel="alternate" type="application/rss+xml" href="rss.xml">'
    )
    assert urls(html) == ["https://cdn.example/blog/atom.xml", "https://cdn.example/blog/rss.xml"]


def test_a_relative_base_resolves_against_the_page_and_a_bad_one_is_ignored() -> None:
    relative = page('<base href="/b/"><link rel="alternate" type="application/rss+xml" href="f.xml">')
    assert urls(relative) == ["https://news.example/b/f.xml"]
    unusable = page('<base href="javascript:void(0)"><link rel="alternate" type="application/rss+xml" href="f.xml">')
    assert urls(unusable) == ["https://news.example/world/f.xml"]


def test_rel_tokens_attribute_case_order_and_quoting_vary() -> None:
    html = (
        "<HTML><HEAD>"
        "<LINK HREF=/a.xml TYPE='Application/RSS+XML; charset=UTF-8' REL='Alternate Feed'>"
        "<link type=application/atom+xml href=/b.xml rel=\"home  alternate\">"
        '<link rel="alternate" type="application/feed+json" href="/c.json">'
        '<link rel="alternate" type="application/json" title="JSON Feed" href="/d.json">'
        '<link rel="alternative" type="application/rss+xml" href="/not-a-token.xml">'
        '<link rel="alternate stylesheet" type="text/css" href="/alt.css">'
        '<link type="application/rss+xml" href="/no-rel.xml">'
        '<link rel="alternate" href="/no-type.xml">'
        "</HEAD></HTML>"
    )
    assert [(link.url, link.type) for link in advertised_feeds(html, PAGE_URL)] == [
        ("https://news.example/a.xml", "application/rss+xml"),
        ("https://news.example/b.xml", "application/atom+xml"),
        ("https://news.example/c.json", "application/feed+json"),
        ("https://news.example/d.json", "application/json"),
    ]


def test_main_feeds_first_then_plain_json_then_comments_each_in_page_order() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="Site » Comments Feed" href="/comments/feed/">'
        '<link rel="alternate" type="application/json" href="/wp-json/wp/v2/pages/7">'
        '<link rel="alternate" type="application/rss+xml" title="Site » Feed" href="/feed/">'
        '<link rel="alternate" type="application/rss+xml" title="Site » Feed dei commenti" href="/it/feed/">'
        '<link rel="alternate" type="application/atom+xml" href="/story/comments.atom">'
        '<link rel="alternate" type="application/atom+xml" title="Site (Atom)" href="/atom/">'
    )
    assert [(link.url.removeprefix("https://news.example"), link.is_comments) for link in advertised_feeds(html, PAGE_URL)] == [
        ("/feed/", False),
        ("/atom/", False),
        ("/wp-json/wp/v2/pages/7", False),
        ("/comments/feed/", True),
        ("/it/feed/", True),
        ("/story/comments.atom", True),
    ]


def test_duplicates_are_dropped_keeping_the_first_title() -> None:
    html = page(
        '<link rel="alternate" type="application/rss+xml" title="First" href="/feed">'
        '<link rel="alternate" type="application/rss+xml" title="Again" href="https://news.example/feed#x">'
        '<link rel="alternate" type="application/atom+xml" title="Same URL, other type" href="/feed">'
    )
    assert [(link.url, link.title) for link in advertised_feeds(html, PAGE_URL)] == [("https://news.example/feed", "First")]


@pytest.mark.parametrize(
    "html",
    [
        "",
        "   ",
        "just words, no markup",
        page(""),
        page('<link rel="alternate" type="text/html" href="/m/">'),
        "\x00\x01\x02 binary \xff\xfe",
        "<?xml version='1.0' encoding='iso-8859-1'?><rss><channel><title>x</title></channel></rss>",
    ],
)
def test_pages_without_feeds_give_nothing(html: str) -> None:
    assert advertised_feeds(html, PAGE_URL) == []


def test_links_in_comments_scripts_and_templates_text_are_not_links() -> None:
    html = page(
        '<!-- <link rel="alternate" type="application/rss+xml" href="/commented-out.xml"> -->'
        '<script>document.write(\'<link rel="alternate" type="application/rss+xml" href="/scripted.xml">\')</script>'
        '<style>/* <link rel="alternate" type="application/rss+xml" href="/styled.xml"> */</style>'
        '<link rel="alternate" type="application/rss+xml" href="/real.xml">'
    )
    assert urls(html) == ["https://news.example/real.xml"]


def test_malformed_markup_still_yields_the_feeds_a_browser_would_see() -> None:
    html = (
        "<html><head><title>Broken <b>markup</title><meta charset=utf-8>"
        "<noscript><img src=/pixel.gif></noscript><div><p>stray body content in the head"
        "<link rel=alternate type=application/atom+xml href=/after-the-mess.atom>"
        "<<<>>></p></div></span></head><link rel=alternate type=application/rss+xml href='/late.xml' title=Late"
        '<body><link rel=alternate type=application/rss+xml title="Unclosed href=/eaten-by-the-quote.xml>'
    )
    assert urls(html) == ["https://news.example/after-the-mess.atom", "https://news.example/late.xml"]


def test_the_xml_declaration_and_a_meta_charset_do_not_change_decoded_text() -> None:
    html = (
        '<?xml version="1.0" encoding="iso-8859-1"?><html><head><meta charset="windows-1252">'
        '<link rel="alternate" type="application/rss+xml" title="Nachrichten – Übersicht" href="/feed">'
        "</head></html>"
    )
    assert [link.title for link in advertised_feeds(html, PAGE_URL)] == ["Nachrichten – Übersicht"]


def test_work_is_bounded_by_the_prefix_and_the_link_cap() -> None:
    link = '<link rel="alternate" type="application/rss+xml" href="/f{}.xml">'
    many = page("".join(link.format(i) for i in range(MAX_FEED_LINKS * 50)))
    assert urls(many) == [f"https://news.example/f{i}.xml" for i in range(MAX_FEED_LINKS)]

    filler = "<script>" + "x" * MAX_SCAN_CHARS + "</script>"
    assert urls(page(filler + link.format("late"))) == []
    assert urls(page(link.format("early") + filler)) == ["https://news.example/fearly.xml"]


def test_a_long_title_is_cut() -> None:
    html = page(f'<link rel="alternate" type="application/rss+xml" title="{"t" * 10_000}" href="/feed">')
    assert [len(link.title) for link in advertised_feeds(html, PAGE_URL)] == [200]


def test_deeply_nested_garbage_does_not_break_the_parse() -> None:
    html = page('<link rel="alternate" type="application/rss+xml" href="/feed">', "<div>" * 100_000)
    assert urls(html) == ["https://news.example/feed"]
