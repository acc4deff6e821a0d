"""Issue #9: the process is SIGKILLed after Discord accepted a post but before it was recorded;
after a restart the post is resent with the same nonce and Discord keeps one message."""

from __future__ import annotations

import asyncio
import shutil
import signal
from pathlib import Path

from tests.e2e.bot_process import ROOT, log_tail, signal_if_running, start_bot
from tests.e2e.harness import write_config
from tests.emulator import DiscordEmulator

async def test_sigkill_between_send_and_record_does_not_double_post(tmp_path: Path) -> None:
    async with DiscordEmulator() as emu:
        guild = emu.add_guild("news")
        channel = emu.add_channel(guild, "news")
        articles = tmp_path / "articles"
        articles.mkdir()
        shutil.copy(ROOT / "articles" / "uk-funds-joint-drone-production-with-ukraine.md", articles)
        cfg = write_config(tmp_path / "newsbot.yaml", f"""
        discord:
          token: ${{DISCORD_TOKEN}}
          api_url: {emu.api_base}
        storage:
          url: sqlite+aiosqlite:///{tmp_path / 'db.sqlite'}
        feeds:
          - name: local
            folder: {articles}
            interval: 60s
            backfill: 5
        subscriptions:
          - name: news
            feeds: [local]
            channel: {channel}
        """)
        # Discord stores the post, then the answer never arrives before the process dies.
        emu.slow("POST /channels/*/messages", 10, count=1, after=True)
        log = tmp_path / "bot.log"
        first = await start_bot(cfg, emu.token, log)
        try:
            await emu.wait_until(lambda: emu.messages(channel) or None, 60, "the first post")
            assert first.returncode is None, f"the bot exited on its own:\n{log_tail(log)}"
        finally:
            signal_if_running(first, signal.SIGKILL)  # SIGKILL: nothing is recorded
            await first.wait()
        emu.clear_faults()
        assert len(emu.messages(channel)) == 1

        second = await start_bot(cfg, emu.token, log)
        try:
            await emu.wait_until(lambda: emu.nonce_hits or None, 60, "the resend of the same post")
            await asyncio.sleep(0.5)  # room for a wrong second message to show up
            assert len(emu.messages(channel)) == 1
        finally:
            signal_if_running(second, signal.SIGTERM)
            try:
                await asyncio.wait_for(second.wait(), 20)
            except asyncio.TimeoutError:
                signal_if_running(second, signal.SIGKILL)
                await second.wait()
        assert second.returncode == 0, f"exit code {second.returncode}:\n{log_tail(log)}"
