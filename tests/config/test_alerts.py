"""Per-server alert channels: where a notice goes (bot.config.alerts), how ``alert_channels`` is read
from both files, and what ``/feeds alerts`` writes (managed_set_alert_channel)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.config import Config, ConfigError, Subscription, describe_config
from bot.config.alerts import concerned_subscriptions, notice_channels, routed_alert_channels, server_alert_channels
from bot.config.managed import managed_set_alert_channel
from bot.config.schema import DiscordSection
from bot.notices import OPERATOR_ONLY, Concerns
from tests.config.conftest import BASE, Write, load, problems

# Two servers, A and B, and the operator's own: a news and an alerts channel each.
A, B, OPS = 1, 2, 9
A_NEWS, A_ALERTS, A_OTHER = 11, 12, 13
B_NEWS, B_ALERTS = 21, 22
ADMIN_LOG = 91
GONE = 77  # an alert channel the bot cannot see (deleted, or in a server it left)
GUILD_OF = {A_NEWS: A, A_ALERTS: A, A_OTHER: A, B_NEWS: B, B_ALERTS: B, ADMIN_LOG: OPS}


def two_servers(*, admin_log: int | None = ADMIN_LOG, alerts: tuple[int, ...] = (A_ALERTS, B_ALERTS, GONE)) -> Config:
    """``a-wire`` posts to A, ``b-wire`` to B, ``shared`` to A and to B's digest."""
    return Config(
        path=Path("newsbot.yaml"),
        managed_path=Path("newsbot.managed.yaml"),
        discord=DiscordSection(admin_log_channel=admin_log),
        subscriptions=(
            Subscription(name="a-news", feeds=("a-wire", "shared"), channel=A_NEWS),
            Subscription(name="b-news", feeds=("b-wire",), channel=B_NEWS),
            Subscription(name="b-digest", feeds=("shared",), channel=B_NEWS, mode="digest", schedule="0 9 * * *"),
        ),
        alert_channels=alerts,
    )


# --- routing ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("concerns", "expected"),
    [
        pytest.param(Concerns.subscription("b-news"), (B_ALERTS,), id="B's subscription: B only"),
        pytest.param(Concerns.subscription("a-news"), (A_ALERTS,), id="A's subscription: A only"),
        pytest.param(Concerns.feed("b-wire"), (B_ALERTS,), id="B's feed: B only"),
        pytest.param(Concerns.feed("shared"), (A_ALERTS, B_ALERTS), id="a feed of both servers: both"),
        pytest.param(Concerns.subscription("a-news", "b-digest"), (A_ALERTS, B_ALERTS), id="two servers' subscriptions"),
        pytest.param(OPERATOR_ONLY, (), id="operator-only: no server"),
        pytest.param(Concerns.subscription("nobody"), (), id="unknown subscription: no server"),
        pytest.param(Concerns.feed("nothing"), (), id="unknown feed: no server"),
    ],
)
def test_a_notice_reaches_the_alert_channels_of_the_servers_it_concerns_only(concerns: Concerns, expected: tuple[int, ...]) -> None:
    assert routed_alert_channels(two_servers(), concerns, GUILD_OF) == expected


def test_a_feeds_notice_concerns_each_of_its_subscriptions() -> None:
    keys = [sub.key for sub in concerned_subscriptions(two_servers(), Concerns.feed("shared"))]
    assert keys == ["a-news", "b-digest"]


def test_the_admin_log_gets_every_notice_first_and_a_channel_that_is_both_gets_it_once() -> None:
    config = two_servers()
    assert notice_channels(config, Concerns.subscription("b-news"), GUILD_OF) == (ADMIN_LOG, B_ALERTS)
    assert notice_channels(config, OPERATOR_ONLY, GUILD_OF) == (ADMIN_LOG,)
    both = two_servers(admin_log=B_ALERTS)
    assert notice_channels(both, Concerns.feed("shared"), GUILD_OF) == (B_ALERTS, A_ALERTS)
    assert notice_channels(two_servers(admin_log=None), OPERATOR_ONLY, GUILD_OF) == ()


def test_a_channel_the_bot_cannot_see_is_skipped() -> None:
    # The alert channel GONE is in no known server, so it receives nothing, not even its server's news.
    config = two_servers(alerts=(GONE, B_ALERTS))
    assert routed_alert_channels(config, Concerns.feed("shared"), GUILD_OF) == (B_ALERTS,)
    # A subscription whose channel is not seen concerns no server (here: B's news channel is gone).
    unseen_b = {channel: guild for channel, guild in GUILD_OF.items() if channel != B_NEWS}
    assert routed_alert_channels(config, Concerns.subscription("b-news"), unseen_b) == ()


def test_a_servers_alert_channels_are_those_among_its_channels() -> None:
    config = two_servers(alerts=(A_ALERTS, B_ALERTS, A_OTHER))
    assert server_alert_channels(config, {A_NEWS, A_ALERTS, A_OTHER}) == (A_ALERTS, A_OTHER)
    assert server_alert_channels(config, frozenset()) == ()


# --- the config ---------------------------------------------------------------------------------


def test_alert_channels_merge_from_both_files_each_once(write: Write) -> None:
    main = write(BASE + f'discord:\n  alert_channels: [{A_ALERTS}, "{B_ALERTS}", {A_ALERTS}]\n')
    assert load(main).alert_channels == (A_ALERTS, B_ALERTS)
    write(f"alert_channels:\n  - {B_ALERTS}\n  - {A_OTHER}\n", name="newsbot.managed.yaml")
    config = load(main)
    assert config.alert_channels == (A_ALERTS, B_ALERTS, A_OTHER)  # the YAML's first
    assert config.discord.alert_channels == (A_ALERTS, B_ALERTS)


def test_alert_channels_default_to_none(write: Write) -> None:
    config = load(write(BASE))
    assert config.alert_channels == ()
    assert "alert channels" not in describe_config(config)


def test_check_config_lists_the_alert_channels_of_both_files(write: Write) -> None:
    main = write(BASE + f"discord:\n  alert_channels: [{A_ALERTS}]\n")
    write(f"alert_channels: [{B_ALERTS}]\n", name="newsbot.managed.yaml")
    assert f"alert channels {A_ALERTS}, {B_ALERTS}" in describe_config(load(main))


def test_a_bad_alert_channel_is_located_in_its_file(write: Write) -> None:
    main = write(BASE + "discord:\n  alert_channels: [12, general]\n")
    write("alert_channels:\n  - 22\n  - '<#33>'\n", name="newsbot.managed.yaml")
    found = problems(main)
    assert [problem.split(" — ")[0] for problem in found] == [
        "newsbot.yaml:8:24: discord.alert_channels[1]: 'general' is not a Discord id",
        "newsbot.managed.yaml:3:5: alert_channels[1]: '<#33>' is not a Discord id",
    ]
    assert all("Copy ID" in problem for problem in found)


# --- /feeds alerts: the managed file --------------------------------------------------------------

SERVER_A = frozenset({A_NEWS, A_ALERTS, A_OTHER})
SERVER_B = frozenset({B_NEWS, B_ALERTS})
MANAGED = Path("newsbot.managed.yaml")


@pytest.fixture
def main(write: Write) -> Path:
    return write(BASE)


def test_set_writes_the_servers_alert_channel(main: Path) -> None:
    before = main.read_text()
    done = managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    assert (done.before, done.after, done.path) == ((), (A_ALERTS,), MANAGED)
    assert load(main).alert_channels == (A_ALERTS,)
    assert main.read_text() == before  # the admins' file is never touched


def test_set_replaces_the_same_servers_channel_and_leaves_another_servers_alone(main: Path) -> None:
    managed_set_alert_channel(main, SERVER_B, B_ALERTS, env={})
    managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    done = managed_set_alert_channel(main, SERVER_A, A_OTHER, env={})
    assert (done.before, done.after) == ((A_ALERTS,), (A_OTHER,))
    assert load(main).alert_channels == (B_ALERTS, A_OTHER)


def test_off_removes_only_the_servers_own(main: Path) -> None:
    managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    managed_set_alert_channel(main, SERVER_B, B_ALERTS, env={})
    done = managed_set_alert_channel(main, SERVER_A, None, env={})
    assert (done.before, done.after) == ((A_ALERTS,), ())
    assert load(main).alert_channels == (B_ALERTS,)
    managed_set_alert_channel(main, SERVER_B, None, env={})
    assert load(main).alert_channels == () and "alert_channels" not in MANAGED.read_text()


def test_a_change_that_changes_nothing_writes_nothing(main: Path) -> None:
    managed_set_alert_channel(main, SERVER_A, None, env={})
    assert not MANAGED.exists()
    managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    written = MANAGED.stat().st_ino  # a write replaces the file (a new inode)
    assert managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={}).before == (A_ALERTS,)
    assert MANAGED.stat().st_ino == written


def test_the_admins_files_alert_channels_stay(write: Write) -> None:
    main = write(BASE + f"discord:\n  alert_channels: [{A_OTHER}]\n")
    managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    assert load(main).alert_channels == (A_OTHER, A_ALERTS)
    done = managed_set_alert_channel(main, SERVER_A, None, env={})
    assert done.before == (A_ALERTS,) and load(main).alert_channels == (A_OTHER,)


def test_a_channel_of_another_server_is_refused(main: Path) -> None:
    with pytest.raises(ConfigError, match="not in this server"):
        managed_set_alert_channel(main, SERVER_A, B_ALERTS, env={})
    assert not MANAGED.exists()


def test_a_change_that_would_not_load_is_refused_and_nothing_is_written(main: Path, write: Write) -> None:
    write("alert_channels: [22, oops]\n", name=str(MANAGED))
    before = MANAGED.read_text()
    with pytest.raises(ConfigError) as caught:
        managed_set_alert_channel(main, SERVER_A, A_ALERTS, env={})
    assert any("alert_channels[1]: 'oops' is not a Discord id" in problem for problem in caught.value.problems)
    assert MANAGED.read_text() == before
