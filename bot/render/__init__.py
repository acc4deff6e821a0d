"""Article → Discord message payloads (plain dicts in the shape of Discord's API), always within
Discord's limits, article text Markdown-escaped and unable to ping.  Pure: no discord, no I/O.

    layouts.py   render_embed, render_thread, render_compact, render_section(_text),
                 render_article_card, render_digest
    template.py  render_template, validate_template (admins' message templates)
    mention.py   a subscription's role ping, on the first message of a post only
    menu.py      the section menu (select menus) under /article and the bot's posts
    limits.py    the limits as constants, embed_size, check_payload / payload_size_ok
    text.py      escape_markdown, neutralize_mentions, truncate, split_text
    pack.py      EmbedPacker: fields and text into embeds and messages
    pages.py     paginate, numbered_pages, feed_list_pages: lists paged with ◀ ▶ buttons
    help.py      render_help: /help from the registered commands
    parts.py     the header embed and names every layout shares
    payloads.py  TypedDicts of the payload shapes
"""

from bot.render.help import CommandHelp, OptionHelp, render_help
from bot.render.layouts import (
    SectionNotFound,
    ThreadPlan,
    render_article_card,
    render_compact,
    render_digest,
    render_embed,
    render_section,
    render_section_text,
    render_thread,
)
from bot.render.limits import (
    AUTHOR_NAME_LIMIT,
    CONTENT_LIMIT,
    DESCRIPTION_LIMIT,
    EMBEDS_PER_MESSAGE,
    FIELD_NAME_LIMIT,
    FIELD_VALUE_LIMIT,
    FIELDS_PER_EMBED,
    FOOTER_LIMIT,
    MENTION_ROLES_LIMIT,
    MESSAGE_EMBED_CHARS,
    THREAD_NAME_LIMIT,
    TITLE_LIMIT,
    PayloadTooLarge,
    check_payload,
    embed_size,
    message_embed_size,
    payload_problems,
    payload_size_ok,
)
from bot.render.mention import mention_line
from bot.render.menu import has_section_menu, section_menu_rows, with_menu
from bot.render.pages import clamp_page, feed_list_pages, numbered_pages, paginate
from bot.render.payloads import ActionRow, AllowedMentions, Embed, EmbedField, MessagePayload, role_mentions
from bot.render.template import PLACEHOLDERS, TemplateError, render_template, validate_template
from bot.render.text import (
    ELLIPSIS,
    escape_markdown,
    neutralize_mentions,
    safe_text,
    safe_url,
    split_text,
    truncate,
)

__all__ = [
    "ActionRow",
    "AUTHOR_NAME_LIMIT",
    "AllowedMentions",
    "CommandHelp",
    "CONTENT_LIMIT",
    "DESCRIPTION_LIMIT",
    "ELLIPSIS",
    "EMBEDS_PER_MESSAGE",
    "Embed",
    "EmbedField",
    "FIELDS_PER_EMBED",
    "FIELD_NAME_LIMIT",
    "FIELD_VALUE_LIMIT",
    "FOOTER_LIMIT",
    "MENTION_ROLES_LIMIT",
    "MESSAGE_EMBED_CHARS",
    "MessagePayload",
    "OptionHelp",
    "PLACEHOLDERS",
    "PayloadTooLarge",
    "SectionNotFound",
    "THREAD_NAME_LIMIT",
    "TITLE_LIMIT",
    "TemplateError",
    "ThreadPlan",
    "check_payload",
    "clamp_page",
    "embed_size",
    "escape_markdown",
    "feed_list_pages",
    "has_section_menu",
    "mention_line",
    "message_embed_size",
    "neutralize_mentions",
    "numbered_pages",
    "paginate",
    "payload_problems",
    "payload_size_ok",
    "render_article_card",
    "render_compact",
    "render_digest",
    "render_embed",
    "render_help",
    "render_section",
    "render_section_text",
    "render_template",
    "render_thread",
    "role_mentions",
    "safe_text",
    "section_menu_rows",
    "safe_url",
    "split_text",
    "truncate",
    "validate_template",
    "with_menu",
]
