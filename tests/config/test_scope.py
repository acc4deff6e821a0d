"""One server's scope (bot.config.scope), on plain values: its subscriptions, the feeds it sees and owns."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, Feed, Subscription
from bot.config.scope import feeds_posting_to, guild_scope

#: Server A's channels, server B's channel.
A_NEWS, A_SPORT, B_NEWS = 11, 12, 21
A = {A_NEWS, A_SPORT, 13}


def _config() -> Config:
    """``a-only`` posts in A (twice), ``b-only`` in B, ``shared`` in both, ``orphan`` nowhere."""
    feeds = tuple(Feed(name=name, url=f"https://{name}.example/feed.xml", interval=600) for name in ("a-only", "b-only", "shared", "orphan"))
    subscriptions = (
        Subscription(feeds=("a-only", "shared"), channel=A_NEWS),
        Subscription(name="a-digest", feeds=("a-only",), channel=A_SPORT, mode="digest", schedule="0 9 * * *"),
        Subscription(feeds=("b-only",), channel=B_NEWS),
        Subscription(name="b-shared", feeds=("shared",), channel=B_NEWS),
    )
    return Config(path=Path("newsbot.yaml"), managed_path=Path("newsbot.managed.yaml"), feeds=feeds, subscriptions=subscriptions)


def test_a_server_has_the_subscriptions_posting_to_its_channels() -> None:
    scope = guild_scope(_config(), A, only_server=False)
    assert [sub.key for sub in scope.subscriptions] == [f"{A_NEWS}:a-only+shared", "a-digest"]
    assert scope.has_subscription("a-digest") and not scope.has_subscription("b-shared")
    assert scope.channels == frozenset(A)


@pytest.mark.parametrize(
    "channels, seen, owned",
    [
        (A, {"a-only", "shared"}, {"a-only"}),
        ({B_NEWS}, {"b-only", "shared"}, {"b-only"}),
        ({A_SPORT}, {"a-only"}, set()),  # a-only also posts to A_NEWS, which is not among these channels
        (set(), set(), set()),  # a DM, or a server the config never posts to
    ],
)
def test_a_server_sees_feeds_with_one_of_its_subscriptions_and_owns_those_with_only_its_own(
    channels: set[int], seen: set[str], owned: set[str]
) -> None:
    config = _config()
    scope = guild_scope(config, channels, only_server=False)
    assert (scope.seen, scope.owned) == (seen, owned)
    assert [feed.name for feed in scope.seen_feeds(config)] == [f.name for f in config.feeds if f.name in seen]
    assert all(scope.sees(name) == (name in seen) and scope.owns(name) == (name in owned) for name in ("a-only", "b-only", "shared", "orphan"))


def test_a_feed_with_no_subscription_is_seen_and_owned_only_by_the_bots_only_server() -> None:
    config = _config()
    several = [guild_scope(config, channels, only_server=False) for channels in (A, {B_NEWS}, A | {B_NEWS})]
    assert not any(scope.sees("orphan") or scope.owns("orphan") for scope in several)
    alone = guild_scope(config, A, only_server=True)
    assert alone.sees("orphan") and alone.owns("orphan")


def test_the_bots_only_server_has_every_feed_and_subscription() -> None:
    config = _config()
    scope = guild_scope(config, {A_NEWS}, only_server=True)
    names = {feed.name for feed in config.feeds}
    assert scope.seen == scope.owned == names
    assert scope.subscriptions == config.subscriptions
    assert scope.channels is None


def test_changing_a_feed_is_refused_unless_the_server_owns_it_and_unseen_feeds_are_unknown() -> None:
    scope = guild_scope(_config(), A, only_server=False)
    assert scope.change_refusal("a-only") is None
    assert scope.change_refusal("shared") == "feed “shared” also posts to another server; ask the bot's operator or edit the YAML"
    unknown = "unknown feed “{}” — see /feeds list for this server's feeds"
    assert scope.change_refusal("b-only") == unknown.format("b-only")  # B's feed: not revealed
    assert scope.change_refusal("orphan") == unknown.format("orphan")
    assert scope.change_refusal("no-such-feed") == unknown.format("no-such-feed")
    assert guild_scope(_config(), A, only_server=True).change_refusal("no-such-feed") is None


def test_a_scope_under_a_newer_config_is_the_same_servers_scope_of_that_config() -> None:
    config = _config()
    new = Feed(name="a-new", url="https://a-new.example/feed.xml", interval=600)
    newer = config.model_copy(update={
        "feeds": (*config.feeds, new),
        "subscriptions": (*config.subscriptions, Subscription(feeds=("a-new",), channel=A_SPORT)),
    })
    scope = guild_scope(config, A, only_server=False).under(newer)
    assert scope == guild_scope(newer, A, only_server=False)
    assert scope.owns("a-new") and not scope.sees("b-only")
    alone = guild_scope(config, A, only_server=True).under(newer)
    assert alone == guild_scope(newer, (), only_server=True) and alone.owns("a-new")


@pytest.mark.parametrize(
    "channels, feeds",
    [
        ({A_NEWS}, {"a-only", "shared"}),
        ({A_SPORT}, {"a-only"}),  # a member who sees only the sport channel
        ({B_NEWS}, {"b-only", "shared"}),
        (set(), set()),  # a member who sees none of the channels the bot posts to
    ],
)
def test_a_member_knows_the_feeds_posting_to_the_channels_they_can_view(channels: set[int], feeds: set[str]) -> None:
    assert feeds_posting_to(_config(), channels) == feeds
