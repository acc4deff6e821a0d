"""`newsbot run` with no token: the README's first command, as a newcomer runs it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SECTIONS = [
    "Ukraine and UK Agree to Jointly Produce Drones",
    "Global Developments",
    "Ukraine’s Resolve",
]


def test_run_without_token_prints_the_seed_story_and_stops_on_sigterm(tmp_path: Path) -> None:
    work = tmp_path / "work"
    work.mkdir()
    shutil.copytree(ROOT / "config", work / "config")
    shutil.copytree(ROOT / "articles", work / "articles")
    env = {k: v for k, v in os.environ.items() if k != "DISCORD_TOKEN"}
    env["PYTHONPATH"] = str(ROOT)
    log = tmp_path / "stderr.log"
    with log.open("w") as stderr:  # a file, not a pipe: an undrained pipe fills up and blocks the bot
        proc = subprocess.Popen([sys.executable, "-m", "bot", "run"], cwd=work, env=env, stdout=subprocess.PIPE, stderr=stderr, text=True)
    lines: list[str] = []
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + 60
        out = ""
        while time.monotonic() < deadline and not all(s in out for s in SECTIONS):
            time.sleep(0.2)
            out = "".join(lines)
        assert all(s in out for s in SECTIONS), out
        assert "UK funds joint drone production with Ukraine" in out
        assert "Read More" not in out and "Share This Article" not in out
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=20)  # raises if SIGTERM did not stop it
        err = log.read_text()
        assert proc.returncode == 0, err
        assert "stopped" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        reader.join(timeout=5)  # the pipe is at its end once the bot has exited
        proc.stdout.close()
