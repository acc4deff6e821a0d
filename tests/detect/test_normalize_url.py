"""normalize_url: every spelling of one page gives one key; different pages keep different keys."""

from __future__ import annotations

import pytest

from bot.detect import TRACKING_PARAMS, normalize_url


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        # case of scheme and host, never of the path
        ("HTTPS://Example.COM/News/Item", "example.com/News/Item"),
        # http and https are one key; www. and default ports dropped
        ("http://example.com/a", "example.com/a"),
        ("https://www.example.com/a", "example.com/a"),
        ("http://example.com:80/a", "example.com/a"),
        ("https://example.com:443/a", "example.com/a"),
        ("https://example.com:8443/a", "example.com:8443/a"),
        ("https://user:secret@example.com/a", "example.com/a"),
        ("https://example.com./a", "example.com/a"),
        # fragment dropped, hashbang route kept
        ("https://example.com/a#comments", "example.com/a"),
        ("https://example.com/#!/story/12", "example.com#!/story/12"),
        # trailing slash stripped consistently, the root becomes the bare host
        ("https://example.com/a/", "example.com/a"),
        ("https://example.com/a//", "example.com/a"),
        ("https://example.com/", "example.com"),
        ("https://example.com", "example.com"),
        # tracking parameters dropped, the rest sorted, an empty query dropped
        ("https://example.com/a?utm_source=rss&utm_medium=feed", "example.com/a"),
        ("https://example.com/a?UTM_Campaign=x", "example.com/a"),
        ("https://example.com/a?id=7&fbclid=abc&gclid=def", "example.com/a?id=7"),
        ("https://example.com/a?b=2&a=1", "example.com/a?a=1&b=2"),
        ("https://example.com/a?mc_cid=1&mc_eid=2&_hsenc=3&_hsmi=4&igshid=5", "example.com/a"),
        ("https://example.com/a?msclkid=1&dclid=2&yclid=3&ref_src=twsrc", "example.com/a"),
        ("https://example.com/a?q=", "example.com/a?q="),
        ("https://example.com/a?", "example.com/a"),
        # content parameters that merely look like tracking are kept (see TRACKING_PARAMS)
        ("https://example.com/a?ref=main", "example.com/a?ref=main"),
        ("https://example.com/a?source=2&id=3", "example.com/a?id=3&source=2"),
        # percent-escapes: case, unreserved characters, non-ASCII
        ("https://example.com/caf%c3%a9", "example.com/caf%C3%A9"),
        ("https://example.com/café", "example.com/caf%C3%A9"),
        ("https://example.com/%7Euser/%41", "example.com/~user/A"),
        ("https://example.com/a%2Fb", "example.com/a%2Fb"),
        ("https://example.com/a b", "example.com/a%20b"),
        # internationalised hosts: unicode and punycode spellings agree
        ("https://BÜCHER.de/x", "xn--bcher-kva.de/x"),
        ("https://xn--bcher-kva.de/x", "xn--bcher-kva.de/x"),
        # IPv6 literal keeps its brackets
        ("http://[::1]:8080/a", "[::1]:8080/a"),
        # scheme-relative
        ("//www.example.com/a/", "example.com/a"),
        # surrounding whitespace
        ("  https://example.com/a \n", "example.com/a"),
    ],
)
def test_normalize_url(url: str, expected: str) -> None:
    assert normalize_url(url) == expected


@pytest.mark.parametrize(
    "garbage",
    [
        "",
        "   ",
        "not a url",
        "urn:uuid:1225c695-cfb8-4ebb-aaaa-80da344efa6a",
        "tag:example.com,2024:item-1",
        "mailto:someone@example.com",
        "http://",
        "https://example.com:99999/a",
        "https://example.com:port/a",
        "http://[::1/a",
        "/relative/path",
    ],
)
def test_garbage_comes_back_stripped_without_raising(garbage: str) -> None:
    assert normalize_url(f" {garbage} ") == garbage.strip()


@pytest.mark.parametrize(
    ("a", "b"),
    [
        ("https://example.com/a", "https://example.com/b"),
        ("https://example.com/a", "https://example.org/a"),
        ("https://example.com/a?id=1", "https://example.com/a?id=2"),
        ("https://example.com/a", "https://example.com/A"),
        ("https://example.com:8080/a", "https://example.com/a"),
        ("https://blog.example.com/a", "https://example.com/a"),
    ],
)
def test_different_pages_keep_different_keys(a: str, b: str) -> None:
    assert normalize_url(a) != normalize_url(b)


def test_tracking_list_is_lowercase_so_the_case_insensitive_lookup_works() -> None:
    assert all(name == name.lower() for name in TRACKING_PARAMS)


def test_idempotent() -> None:
    url = "https://www.Example.com/caf%c3%a9/?utm_source=x&b=2&a=1#top"
    once = normalize_url(url)
    assert normalize_url("https://" + once) == once
