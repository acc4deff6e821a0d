"""${VAR} interpolation, and secrets that must come from the environment."""

from __future__ import annotations

import pytest

from bot.config.yamldoc import looks_like_token
from tests.config.conftest import BASE, Write, load, problems, with_feed

#: Shaped like a real bot token (base64 id . timestamp . HMAC) but not one.
FAKE_TOKEN = "MTIzNDU2Nzg5MDEyMzQ1Njc4OQ.GaBcDe.abcdefghijklmnopqrstuvwxyz0123456"


@pytest.mark.parametrize(
    ("written", "env", "expected"),
    [
        ("${HOST}", {"HOST": "example.com"}, "https://example.com/feed"),
        ("${HOST:-fallback.org}", {}, "https://fallback.org/feed"),
        ("${HOST:-fallback.org}", {"HOST": ""}, "https://fallback.org/feed"),
        ("${HOST:-fallback.org}", {"HOST": "set.net"}, "https://set.net/feed"),
        ("${HOST}", {"HOST": "a.b", "OTHER": "x"}, "https://a.b/feed"),
    ],
)
def test_variables_fill_string_values(write: Write, written: str, env: dict[str, str], expected: str) -> None:
    path = write(with_feed(f"  - name: web\n    url: https://{written}/feed"))
    config = load(path, env)
    assert config.feed("web").url == expected  # type: ignore[union-attr]


def test_dollar_dollar_is_a_literal_dollar(write: Write) -> None:
    path = write(with_feed("  - name: web\n    url: https://x.org/$${NOT_A_VAR}"))
    assert load(path).feed("web").url == "https://x.org/${NOT_A_VAR}"  # type: ignore[union-attr]


def test_variables_work_in_any_string_value_and_are_then_validated(write: Write) -> None:
    path = write(BASE.replace("channel: 123456789012345678", "channel: ${NEWS_CHANNEL}"))
    assert load(path, {"NEWS_CHANNEL": "987654321098765432"}).subscriptions[0].channel == 987654321098765432
    assert problems(path, {"NEWS_CHANNEL": "general"})[0].startswith(
        "newsbot.yaml:6:5: subscriptions[0].channel: 'general' is not a Discord id"
    )


def test_missing_variable_is_named_once(write: Write) -> None:
    path = write(BASE.replace("channel: 123456789012345678", "channel: ${NEWS_CHANNEL}"))
    assert problems(path) == [
        "newsbot.yaml:6:5: subscriptions[0].channel: environment variable NEWS_CHANNEL is not set — set it, "
        "or give a default: ${NEWS_CHANNEL:-value}"
    ]


def test_malformed_reference_is_reported(write: Write) -> None:
    path = write(with_feed("  - name: web\n    url: https://${HOST/feed"))
    assert any("feeds[1].url: malformed ${…}" in problem for problem in problems(path, {"HOST": "x"}))


@pytest.mark.parametrize(
    ("token_line", "env", "expected"),
    [
        ("token: ${DISCORD_TOKEN}", {"DISCORD_TOKEN": "from-env"}, "from-env"),
        ("token: ${DISCORD_TOKEN}", {}, None),
        ("token: ${DISCORD_TOKEN:-}", {}, None),
        ("token: ${MY_BOT_TOKEN}", {"MY_BOT_TOKEN": "other-name"}, "other-name"),
        ("token:", {}, None),
    ],
)
def test_token_comes_from_the_environment_or_is_absent(
    write: Write, token_line: str, env: dict[str, str], expected: str | None
) -> None:
    config = load(write(BASE + f"discord:\n  {token_line}\n"), env)
    token = config.discord.token
    assert (token.get_secret_value() if token is not None else None) == expected
    assert config.has_token is (expected is not None)


@pytest.mark.parametrize("literal", [FAKE_TOKEN, "not-even-token-shaped"])
def test_literal_token_is_refused_without_repeating_it(write: Write, literal: str) -> None:
    found = problems(write(BASE + f"discord:\n  token: {literal}\n"))
    assert len(found) == 1
    assert found[0].startswith(
        "newsbot.yaml:8:3: discord.token: a token written in the file is refused — write token: ${DISCORD_TOKEN}"
    )
    assert literal not in found[0]


def test_token_shaped_text_anywhere_is_refused(write: Write) -> None:
    text = with_feed(f"  - name: web\n    url: https://x.org/feed\n    headers:\n      Authorization: Bot {FAKE_TOKEN}")
    found = problems(write(text))
    assert len(found) == 1
    assert found[0].startswith("newsbot.yaml:7:7: feeds[1].headers.Authorization: this looks like a Discord bot token")
    assert FAKE_TOKEN not in found[0]


def test_token_from_the_environment_may_be_used_in_headers(write: Write) -> None:
    text = with_feed("  - name: web\n    url: https://x.org/feed\n    headers:\n      Authorization: Bot ${API_TOKEN}")
    config = load(write(text), {"API_TOKEN": FAKE_TOKEN})
    assert config.feed("web").headers == {"Authorization": f"Bot {FAKE_TOKEN}"}  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (FAKE_TOKEN, True),
        (f"Bot {FAKE_TOKEN}", True),
        ("https://example.com/a.b.c", False),
        ("MTIzNDU2Nzg5MDEyMzQ1Njc4OQ", False),
        ("sqlite+aiosqlite:///data/newsbot.db", False),
    ],
)
def test_token_shape(text: str, expected: bool) -> None:
    assert looks_like_token(text) is expected
