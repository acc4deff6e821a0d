"""The modules the README calls pure import neither discord nor aiohttp (the Style rule), checked
by importing them in a fresh interpreter that refuses both."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import bot

ROOT = Path(bot.__file__).resolve().parents[1]
#: As the README's Design section lists them.
PURE = ["bot.model", "bot.detect", "bot.feeds.parse", "bot.feeds.timing", "bot.feeds.discover", "bot.feeds.addresses", "bot.feeds.decode", "bot.status"]
PURE_PACKAGES = ["bot.articles", "bot.render", "bot.config"]

REFUSE_IO = """
import importlib, sys
class Refuse:
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in ("discord", "aiohttp"):
            raise ImportError(f"a pure module imported {name}")
        return None
sys.meta_path.insert(0, Refuse())
for module in sys.argv[1:]:
    importlib.import_module(module)
"""


def pure_modules() -> list[str]:
    modules = list(PURE)
    for package in PURE_PACKAGES:
        path = ROOT / package.replace(".", "/")
        modules += [package] + [f"{package}.{m.name}" for m in pkgutil.iter_modules([str(path)])]
    return modules


def test_pure_modules_import_neither_discord_nor_aiohttp() -> None:
    modules = pure_modules()
    assert "bot.articles.summarize" in modules and "bot.config.loader" in modules and "bot.config.alerts" in modules
    done = subprocess.run([sys.executable, "-c", REFUSE_IO, *modules], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr[-2000:]


def test_the_check_catches_a_module_that_imports_discord() -> None:
    done = subprocess.run([sys.executable, "-c", REFUSE_IO, "bot.discord.sink"], cwd=ROOT, capture_output=True, text=True)
    assert done.returncode != 0 and "a pure module imported" in done.stderr
