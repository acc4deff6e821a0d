"""``python -m tests.emulator`` starts a server a bot can be pointed at."""

from __future__ import annotations

import asyncio
import os
import signal
import sys
from pathlib import Path

import aiohttp

ROOT = Path(__file__).resolve().parents[2]


async def test_standalone_emulator_prints_its_urls_and_serves() -> None:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.emulator", "--channel", "news", "--token", "standalone-token",
        cwd=ROOT, stdout=asyncio.subprocess.PIPE, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert proc.stdout is not None
    try:
        lines: dict[str, str] = {}
        while "token" not in lines:
            line = (await asyncio.wait_for(proc.stdout.readline(), 20)).decode()
            assert line, "the emulator exited before printing its URLs"
            key, _, value = line.strip().partition(" ")
            lines[key] = value.strip()
        assert lines["token"] == "standalone-token"
        async with aiohttp.ClientSession() as session:
            async with session.get(lines["api_base"] + "/gateway/bot",
                                   headers={"Authorization": "Bot standalone-token"}) as resp:
                assert resp.status == 200
                assert (await resp.json())["url"] == lines["gateway_url"]
    finally:
        proc.send_signal(signal.SIGINT)
        assert await asyncio.wait_for(proc.wait(), 10) == 0
