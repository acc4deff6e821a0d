"""The bot as a separate OS process, for the tests that kill it: start it, signal it, read its log."""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


async def start_bot(cfg: Path, token: str, log: Path) -> asyncio.subprocess.Process:
    """The bot as its own process; its log goes to a file (a pipe nobody reads fills up and blocks it)."""
    env = dict(os.environ, DISCORD_TOKEN=token, PYTHONPATH=str(ROOT))
    with log.open("ab") as sink:
        return await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", "--config", str(cfg), cwd=cfg.parent, env=env,
            stdout=asyncio.subprocess.DEVNULL, stderr=sink,
        )


def signal_if_running(process: asyncio.subprocess.Process, sig: int) -> None:
    """Send ``sig`` unless the process is already gone (then its exit code tells the story)."""
    if process.returncode is None:
        with contextlib.suppress(ProcessLookupError):
            process.send_signal(sig)


def log_tail(log: Path, lines: int = 30) -> str:
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no log)"
