"""Fixtures: a FeedServer on 127.0.0.1 and an aiohttp session that cannot leave this machine."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from tests.support import FeedServer, local_session

#: Host names the test session resolves to 127.0.0.1 (any other name fails to resolve).
LOCAL_HOSTS = ("news.example", "blog.example")


@pytest.fixture
async def srv() -> AsyncIterator[FeedServer]:
    async with FeedServer() as server:
        yield server


@pytest.fixture
async def session() -> AsyncIterator[aiohttp.ClientSession]:
    async with local_session(LOCAL_HOSTS) as client:
        yield client


@pytest.fixture(autouse=True)
def loopback_allowed(allow_loopback: None) -> None:
    """Every test here may fetch from loopback (tests/conftest.py: ``allow_loopback``), since the
    FeedServer listens on 127.0.0.1 and the bot fetches only public addresses by default.  A module
    that tests that default overrides this fixture with one that does nothing."""
