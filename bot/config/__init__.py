"""The admins' config: schema, loader, the bot-written managed file, and summaries of it.

    load_config(path, env=...) -> Config      every problem reported as file:line:column: key: message
    managed_add_feed / managed_remove_feed / managed_set_paused   what /feeds commands call
    managed_edit_subscription                 what /feeds edit calls (changes_from_text reads its options)
    managed_add_feeds                         what `newsbot feeds import` calls (one write)
    describe_config(config) -> str            what `newsbot check-config` prints
    json_schema() / write_json_schema(path)   config/newsbot.schema.json for editors

Modules: ``schema`` (what the file may say), ``fieldtypes`` (its value types), ``yamldoc`` (YAML
with positions and ${ENV}), ``problems`` (wording), ``loader`` (checks across entries and files),
``resolved`` (the Config the bot runs on), ``managed``, ``describe``, ``schema_file``, and the pure
helpers ``durations``, ``cron``, ``filters`` and ``opml`` (feed lists to and from other readers);
``feedlist`` is what the CLI and /feeds import|export share.
"""

from bot.config.cron import cron_trigger
from bot.config.describe import describe_config
from bot.config.durations import format_duration, parse_duration
from bot.config.loader import load_config
from bot.config.managed import (
    EditedSubscription,
    changes_from_text,
    managed_add_feed,
    managed_add_feeds,
    managed_edit_subscription,
    managed_remove_feed,
    managed_set_paused,
)
from bot.config.resolved import MANAGED, Config, Feed, Subscription
from bot.config.schema_file import json_schema, write_json_schema
from bot.errors import ConfigError

__all__ = [
    "MANAGED",
    "Config",
    "ConfigError",
    "EditedSubscription",
    "Feed",
    "Subscription",
    "changes_from_text",
    "cron_trigger",
    "describe_config",
    "format_duration",
    "json_schema",
    "load_config",
    "managed_add_feed",
    "managed_add_feeds",
    "managed_edit_subscription",
    "managed_remove_feed",
    "managed_set_paused",
    "parse_duration",
    "write_json_schema",
]
