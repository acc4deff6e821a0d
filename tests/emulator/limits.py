"""Discord's documented payload limits, checked as pure functions.

Each ``check_*`` function takes a decoded JSON body and returns the list of problems, each with
its path inside the body, so the REST layer can answer ``400 / 50035 Invalid Form Body`` with the
same nested ``errors`` object Discord sends.  Sources (Discord developer docs):

- Resources > Message > Create Message (content 2000, 10 embeds, nonce 25, flags) and
  Embed Object > Embed Limits (title 256, description 4096, 25 fields, field name 256 / value
  1024, footer 2048, author 256, 6000 in all, measured after trimming whitespace).
- Resources > Message > Allowed Mentions Object (parse vs users/roles, 100 ids).
- Components > Reference (5 action rows, 5 buttons a row, custom_id 100, label 80, select
  options 25, placeholder 150).
- Interactions > Application Commands (naming regex, 1-32 names, 1-100 descriptions, 25 options,
  25 choices, choice name 1-100 and string value up to 100, required before optional,
  autocomplete excludes choices, 100 commands per type and scope, 4000 characters in all).
- Interactions > Receiving and Responding (callback types, autocomplete max 25 choices, modal).
- Topics > Threads / Resources > Channel > Start Thread from Message (name 1-100).
- Resources > Webhook (name 1-80, no "clyde"/"discord").

The per-field error type strings (``BASE_TYPE_MAX_LENGTH`` ...) follow the ones Discord returns;
a few rare ones are approximations, the top-level code 50035 is always exact.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any, Literal

from .errors import FieldError

# --- Message limits -------------------------------------------------------------------------
CONTENT_MAX = 2000
NONCE_MAX = 25
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ALLOWED_MENTIONS_IDS_MAX = 100
ALLOWED_MENTION_TYPES = ("roles", "users", "everyone")

# --- Components -------------------------------------------------------------------------------
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
CUSTOM_ID_MAX = 100
BUTTON_LABEL_MAX = 80
SELECT_OPTIONS_MAX = 25
SELECT_OPTION_TEXT_MAX = 100
SELECT_PLACEHOLDER_MAX = 150
SELECT_VALUES_MAX = 25
COMPONENT_ACTION_ROW = 1
COMPONENT_BUTTON = 2
COMPONENT_STRING_SELECT = 3
COMPONENT_TEXT_INPUT = 4
SELECT_TYPES = (3, 5, 6, 7, 8)
BUTTON_STYLE_LINK = 5
BUTTON_STYLE_PREMIUM = 6

# --- Message flags (Resources > Message > Message Flags) --------------------------------------
FLAG_SUPPRESS_EMBEDS = 1 << 2
FLAG_EPHEMERAL = 1 << 6
FLAG_LOADING = 1 << 7
FLAG_SUPPRESS_NOTIFICATIONS = 1 << 12
FLAG_IS_VOICE_MESSAGE = 1 << 13
FLAG_IS_COMPONENTS_V2 = 1 << 15
SETTABLE_FLAGS = {
    "channel": FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_VOICE_MESSAGE | FLAG_IS_COMPONENTS_V2,
    "edit": FLAG_SUPPRESS_EMBEDS | FLAG_IS_COMPONENTS_V2,
    "webhook": FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2,
    # "Forum and Media Thread Message Params": only SUPPRESS_EMBEDS and SUPPRESS_NOTIFICATIONS.
    "forum": FLAG_SUPPRESS_EMBEDS | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_COMPONENTS_V2,
    "interaction": FLAG_SUPPRESS_EMBEDS | FLAG_EPHEMERAL | FLAG_SUPPRESS_NOTIFICATIONS | FLAG_IS_VOICE_MESSAGE
    | FLAG_IS_COMPONENTS_V2,
}

# --- Application commands ---------------------------------------------------------------------
COMMAND_NAME_MAX = 32
COMMAND_DESCRIPTION_MAX = 100
COMMAND_OPTIONS_MAX = 25
COMMAND_CHOICES_MAX = 25
CHOICE_NAME_MAX = 100
CHOICE_STRING_VALUE_MAX = 100
COMMAND_TOTAL_CHARS_MAX = 4000
COMMANDS_PER_TYPE_MAX = {1: 100, 2: 15, 3: 15}
OPTION_LENGTH_MAX = 6000
COMMAND_CHAT_INPUT, COMMAND_USER, COMMAND_MESSAGE = 1, 2, 3
OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP = 1, 2
OPT_STRING, OPT_INTEGER, OPT_BOOLEAN, OPT_USER, OPT_CHANNEL, OPT_ROLE, OPT_MENTIONABLE, OPT_NUMBER = (
    3, 4, 5, 6, 7, 8, 9, 10)
OPT_ATTACHMENT = 11
OPTION_TYPES = range(1, 12)
CHOICE_OPTION_TYPES = (OPT_STRING, OPT_INTEGER, OPT_NUMBER)
JS_SAFE_INT = 2**53 - 1

# --- Interactions -----------------------------------------------------------------------------
AUTOCOMPLETE_CHOICES_MAX = 25
MODAL_TITLE_MAX = 45
MODAL_COMPONENTS_MAX = 5
CALLBACK_PONG, CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE = 1, 4, 5
CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE, CALLBACK_AUTOCOMPLETE, CALLBACK_MODAL = 6, 7, 8, 9
#: interaction type → callback types Discord accepts for it.
CALLBACKS_FOR_INTERACTION = {
    2: (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_MODAL),
    3: (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE, CALLBACK_MODAL),
    4: (CALLBACK_AUTOCOMPLETE,),
    5: (CALLBACK_MESSAGE, CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE, CALLBACK_UPDATE),
}

# --- Threads and webhooks ---------------------------------------------------------------------
THREAD_NAME_MAX = 100
THREAD_ARCHIVE_DURATIONS = (60, 1440, 4320, 10080)
SLOWMODE_MAX = 21600
WEBHOOK_NAME_MAX = 80
WEBHOOK_FORBIDDEN_SUBSTRINGS = ("clyde", "discord")

MessageKind = Literal["channel", "edit", "webhook", "interaction", "forum"]
Path = tuple[str | int, ...]


class _Problems:
    """Collects FieldErrors with Discord's wording."""

    def __init__(self) -> None:
        self.items: list[FieldError] = []

    def add(self, path: Path, code: str, message: str) -> None:
        self.items.append(FieldError(path, code, message))

    def required(self, path: Path) -> None:
        self.add(path, "BASE_TYPE_REQUIRED", "This field is required")

    def too_long(self, path: Path, limit: int) -> None:
        self.add(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")

    def bad_length(self, path: Path, low: int, high: int) -> None:
        self.add(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")

    def string(self, value: Any, path: Path, *, limit: int | None = None, low: int = 0,
               required: bool = False, trim: bool = False) -> str | None:
        """Check an optional string field; returns it when it is a string."""
        if value is None:
            if required:
                self.required(path)
            return None
        if not isinstance(value, str):
            self.add(path, "STRING_TYPE_CONVERT", "Could not interpret the value as a string.")
            return None
        measured = len(value.strip()) if trim else len(value)
        if required and measured == 0:
            self.required(path)
        elif limit is not None and measured > limit:
            if low:
                self.bad_length(path, low, limit)
            else:
                self.too_long(path, limit)
        elif low and measured < low:
            self.bad_length(path, low, limit or measured)
        return value

    def integer(self, value: Any, path: Path, *, low: int | None = None, high: int | None = None) -> int | None:
        if value is None:
            return None
        if isinstance(value, bool) or not isinstance(value, int):
            self.add(path, "NUMBER_TYPE_COERCE", f"Value \"{value}\" is not int.")
            return None
        if low is not None and value < low:
            self.add(path, "NUMBER_TYPE_MIN", f"int value should be greater than or equal to {low}.")
        if high is not None and value > high:
            self.add(path, "NUMBER_TYPE_MAX", f"int value should be less than or equal to {high}.")
        return value

    def boolean(self, value: Any, path: Path) -> None:
        if value is not None and not isinstance(value, bool):
            self.add(path, "BOOLEAN_TYPE_CONVERT", "Must be either true or false.")

    def url(self, value: Any, path: Path, *, required: bool = False, attachments: bool = True) -> None:
        text = self.string(value, path, required=required, limit=2048)
        if text:
            schemes = ("http://", "https://", "attachment://") if attachments else ("http://", "https://")
            if not text.startswith(schemes):
                names = ", ".join(repr(s.rstrip(":/")) for s in schemes)
                self.add(path, "URL_TYPE_INVALID_SCHEME", f"Scheme \"{text.split(':')[0]}\" is not supported. "
                         f"Scheme must be one of ({names}).")

    def object(self, value: Any, path: Path) -> Mapping[str, Any] | None:
        if value is None:
            return None
        if not isinstance(value, Mapping):
            self.add(path, "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType")
            return None
        return value

    def array(self, value: Any, path: Path, *, limit: int | None = None) -> list[Any] | None:
        if value is None:
            return None
        if not isinstance(value, list):
            self.add(path, "LIST_TYPE_CONVERT", "Only iterables may be used in a ListType")
            return None
        if limit is not None and len(value) > limit:
            self.too_long(path, limit)
        return value


# ============================================================================================
# Messages
# ============================================================================================


def embed_text_length(embed: Mapping[str, Any]) -> int:
    """Characters that count toward the 6000 limit, whitespace-trimmed as Discord measures."""

    def size(value: Any) -> int:
        return len(value.strip()) if isinstance(value, str) else 0

    total = size(embed.get("title")) + size(embed.get("description"))
    for field in embed.get("fields") or []:
        if isinstance(field, Mapping):
            total += size(field.get("name")) + size(field.get("value"))
    footer, author = embed.get("footer"), embed.get("author")
    if isinstance(footer, Mapping):
        total += size(footer.get("text"))
    if isinstance(author, Mapping):
        total += size(author.get("name"))
    return total


def embed_has_content(embed: Mapping[str, Any]) -> bool:
    """Whether an embed shows anything at all (an empty one does not make a message non-empty)."""
    return any(embed.get(key) for key in ("title", "description", "fields", "author", "footer", "image",
                                           "thumbnail", "url"))


def _check_embed(p: _Problems, embed: Any, path: Path) -> None:
    obj = p.object(embed, path)
    if obj is None:
        return
    p.string(obj.get("title"), path + ("title",), limit=EMBED_TITLE_MAX, trim=True)
    p.string(obj.get("description"), path + ("description",), limit=EMBED_DESCRIPTION_MAX, trim=True)
    p.url(obj.get("url"), path + ("url",), attachments=False)
    p.integer(obj.get("color"), path + ("color",), low=0, high=0xFFFFFF)
    stamp = p.string(obj.get("timestamp"), path + ("timestamp",))
    if stamp:
        try:
            datetime.fromisoformat(stamp.replace("Z", "+00:00"))
        except ValueError:
            p.add(path + ("timestamp",), "DATE_TIME_TYPE_PARSE", f"Could not parse {stamp}. Should be ISO8601.")
    footer = p.object(obj.get("footer"), path + ("footer",))
    if footer is not None:
        p.string(footer.get("text"), path + ("footer", "text"), limit=EMBED_FOOTER_MAX, required=True, trim=True)
        p.url(footer.get("icon_url"), path + ("footer", "icon_url"))
    author = p.object(obj.get("author"), path + ("author",))
    if author is not None:
        p.string(author.get("name"), path + ("author", "name"), limit=EMBED_AUTHOR_MAX, required=True, trim=True)
        p.url(author.get("url"), path + ("author", "url"), attachments=False)
        p.url(author.get("icon_url"), path + ("author", "icon_url"))
    for media in ("image", "thumbnail"):
        media_obj = p.object(obj.get(media), path + (media,))
        if media_obj is not None:
            p.url(media_obj.get("url"), path + (media, "url"), required=True)
    fields = p.array(obj.get("fields"), path + ("fields",), limit=EMBED_FIELDS_MAX)
    for i, field in enumerate(fields or []):
        fpath = path + ("fields", i)
        fobj = p.object(field, fpath)
        if fobj is None:
            continue
        p.string(fobj.get("name"), fpath + ("name",), limit=EMBED_FIELD_NAME_MAX, required=True, trim=True)
        p.string(fobj.get("value"), fpath + ("value",), limit=EMBED_FIELD_VALUE_MAX, required=True, trim=True)
        p.boolean(fobj.get("inline"), fpath + ("inline",))


def _check_allowed_mentions(p: _Problems, value: Any) -> None:
    path: Path = ("allowed_mentions",)
    obj = p.object(value, path)
    if obj is None:
        return
    parse = p.array(obj.get("parse"), path + ("parse",)) or []
    for i, item in enumerate(parse):
        if item not in ALLOWED_MENTION_TYPES:
            p.add(path + ("parse", i), "BASE_TYPE_CHOICES",
                  f"Value must be one of {{{', '.join(repr(t) for t in ALLOWED_MENTION_TYPES)}}}.")
    for kind in ("users", "roles"):
        ids = p.array(obj.get(kind), path + (kind,), limit=ALLOWED_MENTIONS_IDS_MAX) or []
        for i, snowflake in enumerate(ids):
            if not str(snowflake).isdigit():
                p.add(path + (kind, i), "NUMBER_TYPE_COERCE", f"Value \"{snowflake}\" is not snowflake.")
        if ids and kind in parse:
            p.add(path, "ALLOWED_MENTIONS_PARSE_EXCLUSIVE",
                  f'parse:["{kind}"] and {kind}: [ids] are mutually exclusive.')
    p.boolean(obj.get("replied_user"), path + ("replied_user",))


def check_components(value: Any, path: Path = ("components",)) -> list[FieldError]:
    """Legacy (non-v2) message components: action rows of buttons or one select menu."""
    p = _Problems()
    rows = p.array(value, path, limit=ACTION_ROWS_MAX) or []
    seen_ids: set[str] = set()
    for r, row in enumerate(rows):
        rpath = path + (r,)
        robj = p.object(row, rpath)
        if robj is None:
            continue
        if robj.get("type") != COMPONENT_ACTION_ROW:
            p.add(rpath + ("type",), "BASE_TYPE_CHOICES", "Value must be one of (1,).")
            continue
        children = p.array(robj.get("components"), rpath + ("components",), limit=BUTTONS_PER_ROW_MAX)
        if not children:
            p.add(rpath + ("components",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            continue
        kinds = {c.get("type") for c in children if isinstance(c, Mapping)}
        if kinds & set(SELECT_TYPES) and len(children) > 1:
            p.add(rpath + ("components",), "COMPONENT_LAYOUT_WIDTH_EXCEEDED",
                  "The specified component exceeds the maximum width")
        for c, child in enumerate(children):
            cpath = rpath + ("components", c)
            cobj = p.object(child, cpath)
            if cobj is None:
                continue
            ctype = cobj.get("type")
            custom_id = cobj.get("custom_id")
            if ctype == COMPONENT_BUTTON:
                style = cobj.get("style")
                if style not in range(1, 7):
                    p.add(cpath + ("style",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6).")
                p.string(cobj.get("label"), cpath + ("label",), limit=BUTTON_LABEL_MAX)
                if style == BUTTON_STYLE_LINK:
                    p.url(cobj.get("url"), cpath + ("url",), required=True, attachments=False)
                    if custom_id is not None:
                        p.add(cpath + ("custom_id",), "BUTTON_COMPONENT_CUSTOM_ID_URL_MUTUALLY_EXCLUSIVE",
                              "A custom id and url cannot both be specified")
                    continue
                if style == BUTTON_STYLE_PREMIUM:
                    continue
                if not cobj.get("label") and not cobj.get("emoji"):
                    p.add(cpath, "BUTTON_COMPONENT_LABEL_OR_EMOJI_REQUIRED", "A label or emoji must be specified")
            elif ctype in SELECT_TYPES:
                p.string(cobj.get("placeholder"), cpath + ("placeholder",), limit=SELECT_PLACEHOLDER_MAX)
                low = p.integer(cobj.get("min_values"), cpath + ("min_values",), low=0, high=SELECT_VALUES_MAX)
                high = p.integer(cobj.get("max_values"), cpath + ("max_values",), low=1, high=SELECT_VALUES_MAX)
                if low is not None and high is not None and low > high:
                    p.add(cpath + ("min_values",), "SELECT_COMPONENT_MIN_VALUES_TOO_LARGE",
                          "min_values must be less than or equal to max_values")
                if ctype == COMPONENT_STRING_SELECT:
                    options = p.array(cobj.get("options"), cpath + ("options",), limit=SELECT_OPTIONS_MAX)
                    if not options:
                        p.add(cpath + ("options",), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 25 in length.")
                    values: set[Any] = set()
                    for o, option in enumerate(options or []):
                        opath = cpath + ("options", o)
                        oobj = p.object(option, opath)
                        if oobj is None:
                            continue
                        p.string(oobj.get("label"), opath + ("label",), limit=SELECT_OPTION_TEXT_MAX, required=True)
                        val = p.string(oobj.get("value"), opath + ("value",), limit=SELECT_OPTION_TEXT_MAX,
                                       required=True)
                        p.string(oobj.get("description"), opath + ("description",), limit=SELECT_OPTION_TEXT_MAX)
                        if val in values:
                            p.add(opath + ("value",), "SELECT_COMPONENT_OPTION_VALUE_DUPLICATED",
                                  "The specified option value is already used")
                        values.add(val)
                    if options and high is not None and high > len(options):
                        p.add(cpath + ("max_values",), "BASE_TYPE_MAX",
                              f"int value should be less than or equal to {len(options)}.")
            else:
                p.add(cpath + ("type",), "BASE_TYPE_CHOICES", "Value must be one of (2, 3, 5, 6, 7, 8).")
                continue
            cid = p.string(custom_id, cpath + ("custom_id",), limit=CUSTOM_ID_MAX, required=True)
            if cid:
                if cid in seen_ids:
                    p.add(cpath + ("custom_id",), "COMPONENT_CUSTOM_ID_DUPLICATED",
                          "Component custom id cannot be duplicated")
                seen_ids.add(cid)
    return p.items


def check_message(body: Mapping[str, Any], kind: MessageKind = "channel") -> list[FieldError]:
    """Problems with a message body (create, edit, webhook execute or interaction message data)."""
    p = _Problems()
    p.string(body.get("content"), ("content",), limit=CONTENT_MAX)
    if "nonce" in body and body["nonce"] is not None:
        nonce = body["nonce"]
        if isinstance(nonce, str):
            p.string(nonce, ("nonce",), limit=NONCE_MAX)
        elif isinstance(nonce, bool) or not isinstance(nonce, int):
            p.add(("nonce",), "BASE_TYPE_NONCE", "Must be an integer or string.")
    p.boolean(body.get("tts"), ("tts",))
    p.boolean(body.get("enforce_nonce"), ("enforce_nonce",))
    embeds = p.array(body.get("embeds"), ("embeds",), limit=EMBEDS_MAX)
    for i, embed in enumerate(embeds or []):
        _check_embed(p, embed, ("embeds", i))
    if embeds and sum(embed_text_length(e) for e in embeds if isinstance(e, Mapping)) > EMBED_TOTAL_MAX:
        p.add(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
    if body.get("allowed_mentions") is not None:
        _check_allowed_mentions(p, body["allowed_mentions"])
    flags = p.integer(body.get("flags"), ("flags",), low=0)
    if flags:
        extra = flags & ~SETTABLE_FLAGS[kind]
        if extra:
            p.add(("flags",), "MESSAGE_FLAGS_INVALID", f"Flags {extra} cannot be set on this message.")
    if body.get("components") is not None:
        p.items.extend(check_components(body["components"]))
    if kind == "webhook":
        if body.get("username") is not None:
            p.items.extend(check_webhook_name(body["username"], ("username",)))
        p.url(body.get("avatar_url"), ("avatar_url",), attachments=False)
    return p.items


def message_is_empty(body: Mapping[str, Any], *, attachments: int = 0) -> bool:
    """Discord refuses (50006) a message with no content, embed, component, sticker, poll or file."""
    content = body.get("content")
    if isinstance(content, str) and content.strip():
        return False
    if any(isinstance(e, Mapping) and embed_has_content(e) for e in body.get("embeds") or []):
        return False
    return not (body.get("components") or body.get("sticker_ids") or body.get("poll") or attachments)


# ============================================================================================
# Application commands
# ============================================================================================


def _valid_command_name(name: str) -> bool:
    """``^[-_'\\p{L}\\p{N}\\p{sc=Deva}\\p{sc=Thai}]{1,32}$`` with lowercase letters where they exist."""
    if not 1 <= len(name) <= COMMAND_NAME_MAX:
        return False
    return all((ch in "-_'" or ch.isalnum() or unicode_is_mark(ch)) and ch.lower() == ch for ch in name)


def unicode_is_mark(ch: str) -> bool:
    """Combining marks used by Devanagari and Thai names (part of \\p{sc=Deva}/\\p{sc=Thai})."""
    return "\u0900" <= ch <= "\u097f" or "\u0e00" <= ch <= "\u0e7f"


def _command_chars(obj: Mapping[str, Any]) -> int:
    total = len(str(obj.get("name") or "")) + len(str(obj.get("description") or ""))
    for choice in obj.get("choices") or []:
        if isinstance(choice, Mapping):
            total += len(str(choice.get("name") or "")) + len(str(choice.get("value") or ""))
    for option in obj.get("options") or []:
        if isinstance(option, Mapping):
            total += _command_chars(option)
    return total


def _check_option(p: _Problems, option: Any, path: Path, depth: int) -> None:
    obj = p.object(option, path)
    if obj is None:
        return
    otype = obj.get("type")
    if otype not in OPTION_TYPES:
        p.add(path + ("type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11).")
        return
    name = p.string(obj.get("name"), path + ("name",), required=True)
    if name is not None and not _valid_command_name(name):
        p.add(path + ("name",), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
    p.string(obj.get("description"), path + ("description",), limit=COMMAND_DESCRIPTION_MAX, low=1, required=True)
    if otype in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP):
        if obj.get("required"):
            p.add(path + ("required",), "APPLICATION_COMMAND_OPTION_REQUIRED_INVALID",
                  "Sub-commands and groups cannot be required")
        allowed_depth = 0 if otype == OPT_SUB_COMMAND_GROUP else 1
        if depth > allowed_depth:
            p.add(path + ("type",), "APPLICATION_COMMAND_SUBCOMMAND_NESTING",
                  "Sub-commands can only be nested one group deep")
        _check_options(p, obj.get("options"), path + ("options",), depth + 1,
                       group=otype == OPT_SUB_COMMAND_GROUP)
        return
    if obj.get("options"):
        p.add(path + ("options",), "APPLICATION_COMMAND_OPTIONS_INVALID", "Only sub-commands may have options")
    choices = p.array(obj.get("choices"), path + ("choices",), limit=COMMAND_CHOICES_MAX)
    if choices and otype not in CHOICE_OPTION_TYPES:
        p.add(path + ("choices",), "APPLICATION_COMMAND_OPTION_CHOICES_INVALID",
              "Choices are only allowed on string, integer and number options")
    if choices and obj.get("autocomplete"):
        p.add(path + ("autocomplete",), "APPLICATION_COMMAND_AUTOCOMPLETE_CHOICES_EXCLUSIVE",
              "Autocomplete and choices are mutually exclusive")
    for i, choice in enumerate(choices or []):
        _check_choice(p, choice, path + ("choices", i), otype)
    p.boolean(obj.get("autocomplete"), path + ("autocomplete",))
    if obj.get("autocomplete") and otype not in CHOICE_OPTION_TYPES:
        p.add(path + ("autocomplete",), "APPLICATION_COMMAND_AUTOCOMPLETE_INVALID",
              "Autocomplete is only allowed on string, integer and number options")
    for key, low in (("min_length", 0), ("max_length", 1)):
        if obj.get(key) is not None:
            if otype != OPT_STRING:
                p.add(path + (key,), "APPLICATION_COMMAND_OPTION_LENGTH_INVALID", f"{key} is only for strings")
            p.integer(obj.get(key), path + (key,), low=low, high=OPTION_LENGTH_MAX)


def _check_choice(p: _Problems, choice: Any, path: Path, option_type: int) -> None:
    obj = p.object(choice, path)
    if obj is None:
        return
    p.string(obj.get("name"), path + ("name",), limit=CHOICE_NAME_MAX, low=1, required=True)
    value = obj.get("value")
    if value is None:
        p.required(path + ("value",))
    elif option_type == OPT_STRING:
        p.string(value, path + ("value",), limit=CHOICE_STRING_VALUE_MAX)
    elif option_type == OPT_INTEGER:
        p.integer(value, path + ("value",), low=-JS_SAFE_INT, high=JS_SAFE_INT)
    elif option_type == OPT_NUMBER and (isinstance(value, bool) or not isinstance(value, (int, float))):
        p.add(path + ("value",), "NUMBER_TYPE_COERCE", f"Value \"{value}\" is not a number.")


def _check_options(p: _Problems, options: Any, path: Path, depth: int, *, group: bool = False) -> None:
    items = p.array(options, path, limit=COMMAND_OPTIONS_MAX) or []
    names: set[str] = set()
    seen_optional = False
    kinds = set()
    for i, option in enumerate(items):
        _check_option(p, option, path + (i,), depth)
        if not isinstance(option, Mapping):
            continue
        otype = option.get("type")
        kinds.add("sub" if otype in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP) else "value")
        if group and otype != OPT_SUB_COMMAND:
            p.add(path + (i, "type"), "APPLICATION_COMMAND_SUBCOMMAND_GROUP_INVALID",
                  "A sub-command group may only contain sub-commands")
        name = option.get("name")
        if name in names:
            p.add(path + (i, "name"), "APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS",
                  "Option names must be unique")
        names.add(name)
        if option.get("required") and seen_optional:
            p.add(path + (i, "required"), "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                  "Required options must be placed before non-required options")
        if otype not in (OPT_SUB_COMMAND, OPT_SUB_COMMAND_GROUP) and not option.get("required"):
            seen_optional = True
    if kinds == {"sub", "value"}:
        p.add(path, "APPLICATION_COMMAND_OPTIONS_TYPE_INVALID",
              "Sub-commands and groups cannot be mixed with other options")


def check_command(body: Any, path: Path = ()) -> list[FieldError]:
    """Problems with one application command definition."""
    p = _Problems()
    obj = p.object(body, path)
    if obj is None:
        return p.items
    ctype = obj.get("type", COMMAND_CHAT_INPUT)
    if ctype not in (COMMAND_CHAT_INPUT, COMMAND_USER, COMMAND_MESSAGE):
        p.add(path + ("type",), "BASE_TYPE_CHOICES", "Value must be one of (1, 2, 3).")
        return p.items
    name = p.string(obj.get("name"), path + ("name",), required=True)
    if ctype == COMMAND_CHAT_INPUT:
        if name is not None and not _valid_command_name(name):
            p.add(path + ("name",), "APPLICATION_COMMAND_INVALID_NAME", "Command name is invalid")
        p.string(obj.get("description"), path + ("description",), limit=COMMAND_DESCRIPTION_MAX, low=1,
                 required=True)
        _check_options(p, obj.get("options"), path + ("options",), 0)
        if _command_chars(obj) > COMMAND_TOTAL_CHARS_MAX:
            p.add(path, "APPLICATION_COMMAND_TOO_LARGE", f"Command exceeds maximum size ({COMMAND_TOTAL_CHARS_MAX})")
    else:
        p.string(name, path + ("name",), limit=COMMAND_NAME_MAX, low=1)
        if obj.get("description"):
            p.add(path + ("description",), "APPLICATION_COMMAND_DESCRIPTION_INVALID",
                  "Context menu commands cannot have a description")
        if obj.get("options"):
            p.add(path + ("options",), "APPLICATION_COMMAND_OPTIONS_INVALID",
                  "Context menu commands cannot have options")
    perms = obj.get("default_member_permissions")
    # Documented as a string bitfield; Discord coerces an integer too (discord.py 2.x sends one).
    if perms is not None and not ((isinstance(perms, str) and perms.isdigit()) or (isinstance(perms, int) and not isinstance(perms, bool) and perms >= 0)):
        p.add(path + ("default_member_permissions",), "NUMBER_TYPE_COERCE", f"Value \"{perms}\" is not int.")
    return p.items


def check_command_list(body: Any) -> list[FieldError]:
    """Problems with a bulk-overwrite body: each command, then unique names and per-type counts."""
    p = _Problems()
    items = p.array(body, ())
    if items is None:
        return p.items
    seen: set[tuple[int, str]] = set()
    counts: dict[int, int] = {}
    for i, command in enumerate(items):
        p.items.extend(check_command(command, (i,)))
        if not isinstance(command, Mapping):
            continue
        key = (command.get("type", COMMAND_CHAT_INPUT), str(command.get("name")))
        if key in seen:
            p.add((i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Application command names must be unique")
        seen.add(key)
        counts[key[0]] = counts.get(key[0], 0) + 1
    for ctype, count in counts.items():
        limit = COMMANDS_PER_TYPE_MAX.get(ctype)
        if limit is not None and count > limit:
            p.too_long((), limit)
    return p.items


# ============================================================================================
# Interaction callbacks, threads, webhooks
# ============================================================================================


def check_autocomplete_choices(data: Any, option_type: int) -> list[FieldError]:
    """The ``data`` of an APPLICATION_COMMAND_AUTOCOMPLETE_RESULT callback."""
    p = _Problems()
    obj = p.object(data, ("data",))
    if obj is None:
        p.required(("data",))
        return p.items
    choices = p.array(obj.get("choices"), ("data", "choices"), limit=AUTOCOMPLETE_CHOICES_MAX)
    if choices is None:
        p.required(("data", "choices"))
    for i, choice in enumerate(choices or []):
        _check_choice(p, choice, ("data", "choices", i), option_type)
    return p.items


def check_modal(data: Any) -> list[FieldError]:
    p = _Problems()
    obj = p.object(data, ("data",))
    if obj is None:
        p.required(("data",))
        return p.items
    p.string(obj.get("custom_id"), ("data", "custom_id"), limit=CUSTOM_ID_MAX, low=1, required=True)
    p.string(obj.get("title"), ("data", "title"), limit=MODAL_TITLE_MAX, required=True)
    components = p.array(obj.get("components"), ("data", "components"), limit=MODAL_COMPONENTS_MAX)
    if not components:
        p.add(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
    return p.items


def check_callback(body: Mapping[str, Any], interaction_type: int, option_type: int | None = None) -> list[FieldError]:
    """Problems with an interaction callback body for an interaction of ``interaction_type``."""
    p = _Problems()
    ctype = body.get("type")
    allowed = CALLBACKS_FOR_INTERACTION.get(interaction_type, ())
    if ctype not in allowed:
        p.add(("type",), "INTERACTION_RESPONSE_TYPE_INVALID",
              f"Value must be one of {tuple(allowed)} for an interaction of type {interaction_type}.")
        return p.items
    data = body.get("data")
    if ctype in (CALLBACK_MESSAGE, CALLBACK_UPDATE):
        obj = p.object(data, ("data",))
        if obj is not None:
            p.items.extend(FieldError(("data",) + e.path, e.code, e.message) for e in check_message(obj, "interaction"))
    elif ctype in (CALLBACK_DEFERRED_MESSAGE, CALLBACK_DEFERRED_UPDATE):
        obj = p.object(data, ("data",))
        if obj is not None:
            flags = p.integer(obj.get("flags"), ("data", "flags"), low=0)
            if flags and flags & ~FLAG_EPHEMERAL:
                p.add(("data", "flags"), "MESSAGE_FLAGS_INVALID", "Only EPHEMERAL may be set when deferring.")
    elif ctype == CALLBACK_AUTOCOMPLETE:
        p.items.extend(check_autocomplete_choices(data, option_type or OPT_STRING))
    elif ctype == CALLBACK_MODAL:
        p.items.extend(check_modal(data))
    return p.items


def check_thread_start(body: Mapping[str, Any]) -> list[FieldError]:
    p = _Problems()
    p.string(body.get("name"), ("name",), limit=THREAD_NAME_MAX, low=1, required=True)
    duration = body.get("auto_archive_duration")
    if duration is not None and duration not in THREAD_ARCHIVE_DURATIONS:
        p.add(("auto_archive_duration",), "BASE_TYPE_CHOICES", f"Value must be one of {THREAD_ARCHIVE_DURATIONS}.")
    p.integer(body.get("rate_limit_per_user"), ("rate_limit_per_user",), low=0, high=SLOWMODE_MAX)
    return p.items


def check_forum_post(body: Mapping[str, Any]) -> list[FieldError]:
    """Start Thread in Forum or Media Channel: the thread's fields, and ``message`` as a message body.

    The message's problems are reported under ``message`` (``errors.message.content``...), as
    Discord nests them.
    """
    problems = check_thread_start(body)
    message = body.get("message")
    if message is None:
        problems.append(FieldError(("message",), "BASE_TYPE_REQUIRED", "This field is required"))
    elif not isinstance(message, Mapping):
        problems.append(FieldError(("message",), "MODEL_TYPE_CONVERT", "Only dictionaries may be used in a ModelType"))
    else:
        problems += [FieldError(("message", *p.path), p.code, p.message) for p in check_message(message, "forum")]
    return problems


def check_webhook_name(name: Any, path: Path = ("name",)) -> list[FieldError]:
    p = _Problems()
    text = p.string(name, path, limit=WEBHOOK_NAME_MAX, low=1, required=True)
    if text:
        lowered = text.lower()
        for bad in WEBHOOK_FORBIDDEN_SUBSTRINGS:
            if bad in lowered:
                p.add(path, "USERNAME_INVALID_CONTAINS", f"Username cannot contain \"{bad}\"")
    return p.items
