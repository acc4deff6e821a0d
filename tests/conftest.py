"""Fixtures every test package may ask for."""

from __future__ import annotations

import ipaddress

import pytest

from bot.feeds import addresses

#: Where the test servers listen (tests.support.FeedServer: 127.0.0.1) and where test resolvers point.
LOOPBACK = (ipaddress.ip_network("127.0.0.0/8"), ipaddress.ip_network("::1/128"))


@pytest.fixture
def allow_loopback(monkeypatch: pytest.MonkeyPatch) -> None:
    """Let fetches reach loopback addresses, which the bot refuses by default (bot.feeds.addresses).

    For tests whose feeds and pages are served from 127.0.0.1: the bot's own default (public
    addresses only) would refuse them.  Undone after the test; the address-policy tests do without it.
    """
    monkeypatch.setattr(addresses, "EXTRA_ALLOWED", LOOPBACK)
