"""``python -m tests.emulator``: run an emulator standalone and print how to point a bot at it."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import signal

from .server import DiscordEmulator


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m tests.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0 picks a free port")
    parser.add_argument("--guild", default="Emulated Guild", help="name of the guild to create")
    parser.add_argument("--channel", action="append", default=None,
                        help="text channel to create (repeatable; default: news)")
    parser.add_argument("--member", default="tester", help="a member with Manage Server, for slash commands")
    parser.add_argument("--token", default=None, help="bot token to accept (default: a random one)")
    return parser.parse_args(argv)


async def serve(args: argparse.Namespace) -> None:
    emu = DiscordEmulator(host=args.host, port=args.port, token=args.token)
    await emu.start()
    guild = emu.add_guild(args.guild)
    channels = {name: emu.add_channel(guild, name) for name in (args.channel or ["news"])}
    member = emu.add_member(guild, args.member, permissions=1 << 5)
    print(f"api_base        {emu.api_base}")
    print(f"gateway_url     {emu.gateway_url}")
    print(f"token           {emu.token}")
    print(f"application_id  {emu.application_id}")
    print(f"bot_user_id     {emu.bot_user_id}")
    print(f"guild           {guild}")
    for name, cid in channels.items():
        print(f"channel #{name:<8}{cid}")
    print(f"member          {member} ({args.member}, Manage Server)")
    print("Ctrl-C to stop.", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        with contextlib.suppress(NotImplementedError):
            loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        await emu.stop()


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    try:
        asyncio.run(serve(args))
    except OSError as exc:  # e.g. the port is taken
        raise SystemExit(f"discord emulator: cannot listen on {args.host}:{args.port}: {exc.strerror or exc}") from None


if __name__ == "__main__":
    main()
