"""``section_menu``: a subscription's opt-out of the menu under its posts, from the file, `/feeds edit`
and `check-config`."""

from __future__ import annotations

from pathlib import Path


from bot.config import changes_from_text, managed_add_feed, managed_edit_subscription
from bot.config.describe import describe_subscription
from bot.config.managed import EDITABLE_KEYS
from bot.config.resolved import Subscription
from bot.config.schema import SubscriptionSpec
from tests.config.conftest import BASE, Write, load, problems

WEB = {"name": "web", "url": "https://example.com/feed.xml"}


def test_the_menu_is_on_unless_a_subscription_turns_it_off() -> None:
    assert SubscriptionSpec(feeds="local", channel=1).section_menu is True
    assert SubscriptionSpec(feeds="local", channel=1, section_menu=False).section_menu is False
    assert Subscription(feeds=("local",), channel=1).section_menu is True


def test_a_value_that_is_not_a_bool_is_refused(write: Write) -> None:
    found = problems(write(BASE + "    section_menu: sometimes\n"))
    assert any("subscriptions[0].section_menu" in p for p in found), found


def test_the_file_turns_it_off(write: Write) -> None:
    assert load(write(BASE + "    section_menu: false\n")).subscriptions[0].section_menu is False


def test_check_config_says_so_only_when_it_is_off() -> None:
    on = Subscription(feeds=("local",), channel=1)
    off = Subscription(feeds=("local",), channel=1, section_menu=False)
    assert "section menu" not in describe_subscription(on)
    assert "; no section menu;" in describe_subscription(off)


def test_feeds_edit_may_change_it(write: Write) -> None:
    main = write(BASE)
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    assert "section_menu" in EDITABLE_KEYS
    assert changes_from_text({"section_menu": False}) == {"section_menu": False}
    managed_edit_subscription(main, "web", None, {"section_menu": False}, env={})
    assert "section_menu: false" in Path("newsbot.managed.yaml").read_text()


def test_feeds_edit_shows_the_change(write: Write) -> None:
    main = write(BASE)
    managed_add_feed(main, WEB, {"feeds": ["web"], "channel": 42}, env={})
    edited = managed_edit_subscription(main, "web", None, {"section_menu": False}, env={})
    assert edited.after.section_menu is False and edited.change_lines() == ["section_menu: yes → no"]
