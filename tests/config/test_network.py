"""network.allow_addresses: the operator's list of networks the bot may fetch from besides public ones."""

from __future__ import annotations

import json

import pytest

from bot.config import json_schema
from bot.feeds.addresses import AddressPolicy
from tests.config.conftest import BASE, Write, load, problems


def network(body: str) -> str:
    return BASE + "network:\n" + body


def test_unset_or_empty_is_public_addresses_only(write: Write) -> None:
    assert load(write(BASE)).network.allow_addresses == ()
    assert load(write(network("  allow_addresses:\n"))).network.allow_addresses == ()
    assert load(write(network(""))).network.allow_addresses == ()
    assert AddressPolicy.of(load(write(BASE)).network.allow_addresses).refusal("127.0.0.1") is not None


def test_addresses_and_ranges_are_kept_as_the_bot_shows_them(write: Write) -> None:
    config = load(write(network('  allow_addresses: [127.0.0.1, 10.0.0.0/8, "fd00::/8", 192.168.1.20/32]\n')))
    assert config.network.allow_addresses == ("127.0.0.1", "10.0.0.0/8", "fd00::/8", "192.168.1.20")
    policy = AddressPolicy.of(config.network.allow_addresses)
    assert [policy.refusal(a) for a in ("127.0.0.1", "10.9.9.9", "fd00::1", "192.168.1.20")] == [None] * 4
    assert policy.refusal("192.168.1.21") is not None


def test_one_address_needs_no_list(write: Write) -> None:
    assert load(write(network("  allow_addresses: 10.0.0.0/8\n"))).network.allow_addresses == ("10.0.0.0/8",)


def test_each_bad_entry_is_reported_with_its_line(write: Write) -> None:
    found = problems(write(network("  allow_addresses:\n    - 10.0.0.0/8\n    - intranet.local\n    - 10.0.0.1/8\n    - 12\n")))
    assert found == [
        "newsbot.yaml:10:7: network.allow_addresses[1]: 'intranet.local' is not an IP address or CIDR range — host "
        "names are not accepted (what a name resolves to can change); write its address or range, e.g. 10.0.0.0/8, "
        "192.168.1.20 or fd00::/8",
        "newsbot.yaml:11:7: network.allow_addresses[2]: '10.0.0.1/8' has host bits set beyond /8 — did you mean 10.0.0.0/8?",
        "newsbot.yaml:12:7: network.allow_addresses[3]: expected text, got 12 — put it in quotes",
    ]


def test_a_misspelt_key_gets_a_suggestion(write: Write) -> None:
    assert problems(write(network("  allowed_addresses: [127.0.0.1]\n"))) == [
        "newsbot.yaml:8:3: network.allowed_addresses: unknown key 'allowed_addresses' — did you mean 'allow_addresses'?"
    ]


def test_the_managed_file_cannot_widen_it(write: Write) -> None:
    """The managed file is written from Discord; what the bot may reach is the operator's alone."""
    write("network:\n  allow_addresses: [127.0.0.1]\n", "newsbot.managed.yaml")
    found = problems(write(BASE))
    assert found == [
        "newsbot.managed.yaml:1:1: network: unknown key 'network' — valid keys: feeds, subscriptions, paused, alert_channels"
    ]


def test_the_schema_documents_it() -> None:
    schema = json_schema()
    section = schema["$defs"]["NetworkSection"]
    assert section["additionalProperties"] is False
    assert "public addresses" in section["properties"]["allow_addresses"]["description"]
    assert json.dumps(schema)  # serialisable as written to config/newsbot.schema.json


@pytest.mark.parametrize("value", ["[]", "[127.0.0.1]"])
def test_an_edit_of_it_is_a_change_of_settings(write: Write, value: str) -> None:
    """The watcher reloads on a settings change; the running bot then reads the new list at its next connection."""
    before = load(write(BASE))
    after = load(write(network(f"  allow_addresses: {value}\n")))
    assert before.same_settings(after) is (value == "[]")


def test_check_config_shows_what_the_bot_may_fetch(write: Write) -> None:
    from bot.config.describe import describe_config

    assert "Network: fetches public addresses only (network.allow_addresses is empty)" in describe_config(load(write(BASE))).splitlines()
    listed = load(write(network("  allow_addresses: [10.0.0.0/8, 192.168.1.20]\n")))
    assert "Network: fetches public addresses and 10.0.0.0/8, 192.168.1.20" in describe_config(listed).splitlines()
