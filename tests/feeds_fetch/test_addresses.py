"""The address policy (bot.feeds.addresses), pure: which addresses the bot may fetch from, and the sentence when not."""

from __future__ import annotations

import ipaddress

import pytest

from bot.feeds import addresses
from bot.feeds.addresses import PUBLIC_ONLY, AddressPolicy, looks_like_ip, parse_network, show_network

ADVICE = "; the bot fetches only public addresses unless the operator lists it in network.allow_addresses"


@pytest.fixture
def loopback_allowed() -> None:
    """Overrides the package's fixture: these tests are about the bot's own default."""


def test_the_bot_allows_nothing_extra_by_default() -> None:
    assert addresses.EXTRA_ALLOWED == () and PUBLIC_ONLY == AddressPolicy()


@pytest.mark.parametrize(
    "address",
    ["8.8.8.8", "1.1.1.1", "93.184.216.34", "2606:4700:4700::1111", "2a00:1450:4001:81d::200e",
     "::ffff:8.8.8.8", "64:ff9b::808:808"],
)
def test_public_addresses_are_allowed(address: str) -> None:
    assert PUBLIC_ONLY.refusal(address) is None
    assert PUBLIC_ONLY.refusal(ipaddress.ip_address(address)) is None


@pytest.mark.parametrize(
    ("address", "kind"),
    [
        ("127.0.0.1", "127.0.0.1 is a loopback address (the bot's own machine)"),
        ("127.8.9.10", "127.8.9.10 is a loopback address (the bot's own machine)"),
        ("::1", "::1 is a loopback address (the bot's own machine)"),
        ("0.0.0.0", "0.0.0.0 is the unspecified address, which reaches the bot's own machine"),
        ("::", ":: is the unspecified address, which reaches the bot's own machine"),
        ("10.1.2.3", "10.1.2.3 is a private network address"),
        ("172.16.0.9", "172.16.0.9 is a private network address"),
        ("192.168.1.1", "192.168.1.1 is a private network address"),
        ("fd12:3456::1", "fd12:3456::1 is a private network address"),
        ("169.254.169.254", "169.254.169.254 is a link-local address (the cloud metadata service)"),
        ("169.254.1.1", "169.254.1.1 is a link-local address"),
        ("fe80::1", "fe80::1 is a link-local address"),
        ("fe80::1%eth0", "fe80::1%eth0 is a link-local address"),
        ("224.0.0.1", "224.0.0.1 is a multicast address"),
        ("239.255.255.250", "239.255.255.250 is a multicast address"),
        ("ff02::1", "ff02::1 is a multicast address"),
        ("100.64.0.1", "100.64.0.1 is a carrier-grade NAT address"),
        ("fec0::1", "fec0::1 is a site-local address"),
        ("255.255.255.255", "255.255.255.255 is a special-purpose address, not a public one"),
        ("240.0.0.1", "240.0.0.1 is a special-purpose address, not a public one"),
        ("192.0.2.10", "192.0.2.10 is a special-purpose address, not a public one"),
        ("::7f00:1", "::7f00:1 is a special-purpose address, not a public one"),
        ("::ffff:127.0.0.1",
         "::ffff:7f00:1 is the IPv4 address 127.0.0.1 in IPv6 form, a loopback address (the bot's own machine)"),
        ("::ffff:10.0.0.1", "::ffff:a00:1 is the IPv4 address 10.0.0.1 in IPv6 form, a private network address"),
        ("64:ff9b::a9fe:a9fe",
         "64:ff9b::a9fe:a9fe is the IPv4 address 169.254.169.254 in IPv6 form, a link-local address "
         "(the cloud metadata service)"),
        ("2002:7f00:1::1",
         "2002:7f00:1::1 is the IPv4 address 127.0.0.1 in IPv6 form, a loopback address (the bot's own machine)"),
    ],
)
def test_every_other_address_is_refused_saying_what_it_is_and_who_can_allow_it(address: str, kind: str) -> None:
    assert PUBLIC_ONLY.refusal(address) == kind + ADVICE


def test_a_host_name_is_named_with_the_address_it_resolves_to() -> None:
    assert PUBLIC_ONLY.refusal("127.0.0.1", host="localhost") == (
        "localhost resolves to 127.0.0.1, a loopback address (the bot's own machine)" + ADVICE
    )


def test_what_is_not_an_address_is_refused() -> None:
    assert PUBLIC_ONLY.refusal("not-an-ip") == "'not-an-ip' is not an IP address the bot can check; nothing was fetched"


@pytest.mark.parametrize(
    ("listed", "address"),
    [
        ("127.0.0.1", "127.0.0.1"),
        ("10.0.0.0/8", "10.200.3.4"),
        ("169.254.169.254", "169.254.169.254"),
        ("fd00::/8", "fd00::5"),
        ("::1", "::1"),
        ("127.0.0.1", "::ffff:127.0.0.1"),  # the same machine written as IPv6
        ("::ffff:127.0.0.1", "::ffff:127.0.0.1"),
        ("0.0.0.0/0", "192.168.0.1"),
    ],
)
def test_an_address_inside_a_listed_network_is_allowed(listed: str, address: str) -> None:
    assert AddressPolicy.of([listed]).refusal(address) is None


@pytest.mark.parametrize(
    ("listed", "address"),
    [("127.0.0.1", "127.0.0.2"), ("10.0.0.0/16", "10.1.0.1"), ("::1", "127.0.0.1"), ("192.168.1.0/24", "::ffff:10.0.0.1")],
)
def test_only_the_listed_networks_are_allowed(listed: str, address: str) -> None:
    assert AddressPolicy.of([listed]).refusal(address) is not None


@pytest.mark.parametrize(
    ("host", "literal"),
    [("127.0.0.1", True), ("::1", True), ("127.1", True), ("2130706433", True), ("news.example", False),
     ("0x7f.0.0.1", False), ("localhost", False)],
)
def test_looks_like_ip_is_aiohttps_test_for_connecting_without_resolving(host: str, literal: bool) -> None:
    assert looks_like_ip(host) is literal


@pytest.mark.parametrize(
    ("text", "shown"),
    [("10.0.0.0/8", "10.0.0.0/8"), (" 192.168.1.20 ", "192.168.1.20"), ("192.168.1.20/32", "192.168.1.20"),
     ("fd00::/8", "fd00::/8"), ("::1", "::1"), ("0.0.0.0/0", "0.0.0.0/0")],
)
def test_allow_entries_are_addresses_or_cidr_ranges(text: str, shown: str) -> None:
    assert show_network(parse_network(text)) == shown


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("10.0.0.1/8", "'10.0.0.1/8' has host bits set beyond /8 — did you mean 10.0.0.0/8?"),
        ("intranet.local", "'intranet.local' is not an IP address or CIDR range — host names are not accepted"),
        ("10.0.0.0/33", "'10.0.0.0/33' is not an IP address or CIDR range — write one, e.g. 10.0.0.0/8"),
        ("2130706433", "'2130706433' is not an IP address or CIDR range"),
        ("", "an empty entry — write an IP address or a CIDR range"),
    ],
)
def test_a_bad_allow_entry_says_what_to_write(text: str, message: str) -> None:
    with pytest.raises(ValueError) as caught:
        parse_network(text)
    assert str(caught.value).startswith(message)
