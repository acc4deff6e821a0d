"""Fixtures shared by the end-to-end tests that run the bot against the Discord emulator.

A module that defines its own ``emu`` or ``server`` fixture still uses its own (pytest prefers the
nearer definition); new modules take these instead of copying them once more.
"""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from tests.e2e.discord_rig import Rig, rigged
from tests.emulator import DiscordEmulator, point_discord_py_at
from tests.support.feedserver import FeedServer


@pytest.fixture
async def server() -> AsyncIterator[FeedServer]:
    async with FeedServer() as srv:
        yield srv


@pytest.fixture
async def emu() -> AsyncIterator[DiscordEmulator]:
    async with DiscordEmulator() as emulator:
        with point_discord_py_at(emulator):
            yield emulator
    # A failing handler answers 500 like Discord would; the test must not mistake it for the bot's fault.
    assert emulator.internal_errors == [], "the emulator itself failed while handling a request"


@pytest.fixture
async def rig(emu: DiscordEmulator, server: FeedServer, tmp_path: Path) -> AsyncIterator[Rig]:
    """The bot on the emulator with a ``news`` subscription and an ``admin`` notice channel."""
    async with rigged(emu, server, tmp_path) as started:
        yield started


@pytest.fixture(autouse=True)
def loopback_allowed(allow_loopback: None) -> None:
    """Every test here may fetch from loopback (tests/conftest.py: ``allow_loopback``), since the
    FeedServer listens on 127.0.0.1 and the bot fetches only public addresses by default.  A module
    that tests that default overrides this fixture with one that does nothing."""
