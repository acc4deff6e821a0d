"""The Discord edge: the discord.py client, the delivery sink, the slash commands.

Nothing here knows about tests: Discord's address is the config's ``discord.api_url`` (the
gateway URL comes from ``GET /gateway/bot`` unless ``discord.gateway_url`` says otherwise).
"""
