"""Boilerplate that must never reach a reader: share prompts, "Read More @ …", newsletters, chrome.

Extraction libraries drop most site chrome, but feeds and Markdown files carry their own
(the seed story ends with "Read More @ kyivindependent.com" and "Share This Article").  The rules
are general — phrases any site uses — and only ever drop *short* blocks, so a real paragraph that
happens to mention a newsletter survives.
"""

from __future__ import annotations

import re

from bot.articles.blocks import Block
from bot.articles.words import word_count

#: A block longer than this is content, whatever words it contains.
MAX_BOILERPLATE_CHARS = 220

_BOILERPLATE = re.compile(
    r"""^(?:
        read\ (?:more|the\ full\ (?:story|article)|full\ (?:story|article)|the\ rest|next|also|original)\b.*
      | continue\ reading\b.*
      | (?:share|tweet|email|print|pin)(?:\ (?:this|the))?(?:\ (?:article|story|post|page|link))?(?:\ (?:on|via|with)\ .*)?[\s:!.]*
      | share\ (?:on|via)\ .*
      | (?:copy\ link|link\ copied)[\s!.]*
      | (?:(?:facebook|twitter|x|linkedin|whatsapp|reddit|telegram|email|print|copy\ link|pinterest|flipboard)[\s|,·•/]*){2,}
      | (?:subscribe|sign\ up|signup|join|get)\b.*\b(?:newsletters?|inbox|updates|briefing|digest|alerts?|subscribers?)\b.*
      | (?:subscribe|sign\ up)(?:\ (?:now|today|here)\b.*)?[\s!.]*
      | subscribe\ to\ (?-i:[A-Z])\S*\ .*
      | (?:newsletter|sign\ up\ for\ (?:our|the)\ .*)
      | follow\ (?:us|@?\w+)\ on\ .*
      | (?:(?:be\ sure|make\ sure|don'?t\ forget)\ to\ )?(?:visit|follow|like|find|connect\ with)\ .{1,60}?\ on
        (?:,?\ (?:and\ )?(?:facebook|twitter|x|instagram|linkedin|youtube|tiktok|threads|bluesky|pinterest)\b){1,8}[\s.!]*
      | follow\ (?:the\ )?(?-i:[A-Z])[\w'’.&-]*\ (?:[\w'’.&-]+\ ){0,5}on\ (?:facebook|twitter|instagram|x|linkedin|youtube|tiktok|threads|bluesky)\b.*
      | (?:advertisement|advertising|sponsored(?:\ content)?|ad|promoted|scroll\ to\ continue(?:\ with\ content)?)[\s:.]*
      | scroll\ down\ (?:for|to\ (?:watch|see|view))\ (?:the\ )?(?:videos?|pictures|photos|more)[\s:.!]*
      | (?:related|related\ (?:stories|articles|posts|coverage|content|reading|news)|more\ (?:from|on|in|stories|news)\b.*
         |(?:our\ )?(?:more|latest|top)\ (?:[\w'’-]+\ ){0,3}(?:stories|news|articles|reads|videos)
         |you\ (?:may|might)\ (?:also\ )?like.*|recommended(?:\ for\ you)?|also\ read|see\ also|trending(?:\ now)?
         |most\ (?:read|popular|viewed|shared)(?:\ (?:in|on|from)\ [\w'’&\ -]{1,40})?|popular\ (?:now|stories)|don'?t\ miss
         |editor'?s\ picks?|top\ stories|latest\ (?:news|stories))[\s:]*
      | (?:the\ )?(?:story|article)\ continues\ (?:below|after|under)\b.*
      | \[(?:related|see\ also|read\ (?:more|also)|more)\s*:[^\]]*\]
      | (?:also|also\ read|see\ also|see\ more|related|read\ also|read\ more|more|read\ next|up\ next|watch|listen
         |don'?t\ miss|must\ read|recommended|trending|further\ reading|more\ coverage
         |leggi\ anche|lee\ tambi[ée]n|lesen\ sie\ auch|voir\ aussi|lire\ aussi|leia\ tamb[ée]m)\s*:.*
      | \(?(?:leggi\ anche|lee\ tambi[ée]n|lesen\ sie\ auch|voir\ aussi|lire\ aussi|leia\ tamb[ée]m)\b.*
      | \[(?:video|pics?|photos?|gallery|news|reaction|insight|poll|live|latest|watch)\]?
      | (?:video|pics?|photos?|gallery|news|reaction|insight|poll|live|latest|watch)\][\s|]*
      | \[\w+\b[^\]]*\].*\[/\w+\]
      | (?:https?://|www\.)\S+
      | (?:text\ size|font\ size|by|print|home|menu|skip\ to\ (?:main\ )?content|back\ to\ top|toggle\ navigation|loading(?:\.\.\.|…)?
         |an\ error\ (?:has\ )?occurred.*|please\ try\ again(?:\ later)?)[\s.!]*
      | (?:write\ to|e-?mail|contact)\ .{1,100}\ at\ \S+@\S+.*
      | (?:see\ it|buy\ it|shop|buy|view|get\ it|check\ it\ out|see\ (?:the\ )?deal|view\ deal|check\ price|see\ price)
         (?:\ now)?(?:\ (?:at|on|from)\ .{1,40}|\s*:\s*.{1,40})?[\s!.]*
      | \(?(?:additional\ )?(?:reporting|writing|editing|research|compiled|graphics?|production|fact-checking)
         \ (?:by|from)\ [^.!?]{1,200}(?:\.?\))?
      | [a-z0-9]+(?:[-_][a-z0-9]+){2,}
      | (?:click|tap)\ here\b.*
      | (?:we|this\ (?:site|website))\ uses?\ cookies\b.*
      | (?:all\ rights\ reserved|©|\(c\)\ ?\d{4}|copyright\ ©?\s*\d{4}|copyright\ (?-i:(?:[A-Z][\w&.'’-]*\ ){1,5})(?:19|20)\d{2}\b).*
      | (?:leave\ a\ (?:comment|reply)|\d+\ comments?|comments?|(?:show|view|post|add|write)\ (?:a\ )?comments?)
         [\s:.()+]*
      | (?:tags?|filed\ under|categories|topics)\s*:.*
      | listen\ to\ (?:this|the)\ (?:article|story)\b.*
      | (?:(?:main|top|header|cover|featured|lead|hero)\ )?(?:image|photo|picture|video)\ (?:credit|source)s?\s*:.*
      | (?:main|top|header|cover|featured|lead|hero)\ (?:image|photo|picture)\s*:.*
      | download\ (?:our|the)\ app\b.*
      | (?:support|become\ a\ member\ of)\ (?:our|independent)\ journalism\b.*
      | (?:log\ ?in|sign\ in)\ to\ (?:comment|continue|read)\b.*
      | this\ (?:article|story)\ (?:was|has\ been)\ (?:updated|corrected)\ .*\.?
      | (?:updated|published|posted)\ (?:at\ )?\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?.{0,20}
      | (?:\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\ [A-Z]{2,4})?\s+)?\d{1,2}/\d{1,2}/\d{2,4}
        (?:\s+\d{1,2}[:.]\d{2}\s*(?:[ap]\.?m\.?)?(?:\ [A-Z]{2,4})?)?(?:\s+by\s+[\w .,'’-]{1,60})?
      | (?:(?:first|last)\ )?(?:updated|published|posted|modified)\s*:?\s*(?:on\ )?
        (?:(?:mon|tue|wed|thu|fri|sat|sun)[a-z]{0,6}\.?,?\ )?(?:\w{3,9}\.?\ \d{1,2},?|\d{1,2}\ \w{3,9}\.?,?)\ \d{4}.*
      | (?:[^\W\d_]{3,}(?:-feira)?,?\ )?\d{1,2}\.?\ (?:de\ )?[^\W\d_]{3,12}\.?,?\ (?:de\ )?\d{4}
        (?:,?\ (?:às|as|a\ las|alle|à|um|at)?\s*\d{1,2}[:h.]\d{2}h?(?:\ ?[ap]\.?m\.?)?)?
      | [^\W\d_][^:：\n]{0,24}[:：]\s*\[?\s*\d{4}[-./]\d{1,2}[-./]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?\s*\]?
      | (?:reading\ time|read\ time|tempo\ de\ leitura|tiempo\ de\ lectura|temps\ de\ lecture|lesezeit|tempo\ di\ lettura)
        \s*:?\s*(?:\d+|less\ than\ (?:a|one))\ ?[^\W\d_]*\.?
      | \d+\ min(?:ute)?s?\ read
      | [a-z]{2}(?:-[a-z]{2,})?--[\w'-]+(?:,\ \d+(?:st|nd|rd|th)\ (?:ld|add)-writethru)?
      | [^\W\d_][\w\ ]{0,30}:\s*(?:https?://|www\.)\S+
      | subscribe\ (?:to|on)\ .*\b(?:youtube|channel|podcasts?|feed|spotify)\b.*
      | (?:(?:mon|tues|wednes|thurs|fri|satur|sun)day,?\ )?
        (?:\w{3,9}\.?\ \d{1,2},?\ \d{4}|\d{1,2}\ \w{3,9}\.?,?\ \d{4}|\d{4}-\d{2}-\d{2})
        (?>[\s/|·•,-]+(?:\d{1,2}[:.]\d{2}(?:\ ?[ap]\.?m\.?)?(?:\ [A-Z]{2,4})?|updated\b.{0,40}|\d+\ min(?:ute)?s?\ read))*+
    )$""",
    re.IGNORECASE | re.VERBOSE,
)

#: Chrome that can sit anywhere in a short paragraph ("Get the magazine delivered every month.
#: Click here for more information."), each with a phrase it cannot do without.  Kept out of
#: _BOILERPLATE, whose alternatives are all anchored at the start: a ``.*`` there is retried at
#: every character of every paragraph, while a substring test skips almost all of them (a short
#: paragraph costs ~4 us instead of ~18 us).  Matched against the lowered text.
_BOILERPLATE_ANYWHERE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("here", re.compile(r"\bclick(?:ing)? here\b")),
    ("cookies", re.compile(r"\b(?:accept|manage) (?:all )?cookies\b")),
    ("reserved", re.compile(r"\ball rights reserved\.?$")),
    ("sign up", re.compile(r"(?:^|[.!?:] )sign up (?:for|to)\b.*\bnewsletters?\b")),
    ("]", re.compile(r"^.{1,160}\[(?:video|pics?|photos?|gallery|news|reaction|insight|poll|live|latest|watch)\]$")),
    # A photo's caption, which ends on its credit ("… its four RS-25 engines. (credit: NASA/Jude Guidry)").
    ("credit", re.compile(r"\((?:(?:photo|image|picture)\ )?credits?\s*:[^()]{1,80}\)\.?$")),
)

#: A trailer glued to the end of a real paragraph ("… the war. Read More @ example.com").
_TRAILER = re.compile(
    r"\s*(?:read\ more|continue\ reading|read\ the\ full\ (?:story|article))\s*(?:@|at|on|:|»|→|\.\.\.|…)\s*\S*\s*$",
    re.IGNORECASE | re.VERBOSE,
)

#: Labels of the other stories a page lists after its article ("Related stories", "More Great
#: WIRED Stories", "Our latest stories"): nothing of the article comes after one of them.
#: _BOILERPLATE keeps a narrower list of its own for paragraphs: "In other …" is a label as a
#: heading but prose as a paragraph ("In other news, the council …").
_RELATED = r"""related(?:\ (?:stories|articles|posts|coverage|content|reading|news|topics))?|more\ (?:from|on|in|stories|news)\b.*
      |(?:our\ )?(?:more|latest|top)\ (?:[\w'’-]+\ ){0,3}(?:stories|news|articles|reads|videos)
      |you\ (?:may|might)\ (?:also\ )?like.*|recommended(?:\ (?:for\ you|stories|reading))?|also\ read|see\ also
      |trending(?:\ (?:now|stories|news))?|most\ (?:read|popular|viewed)|popular(?:\ (?:now|stories))?|don'?t\ miss
      |editor'?s\ picks?|top\ stories|latest(?:\ (?:news|stories|articles))?|read\ next|what\ to\ read\ next
      |more\ like\ this|in\ (?:other|case\ you\ missed\ it).*"""
_RELATED_LABEL = re.compile(rf"^(?:{_RELATED})[\s:]*$", re.IGNORECASE | re.VERBOSE)

#: Headings that introduce chrome; the whole section under them goes.
_CHROME_HEADING = re.compile(
    rf"""^(?:{_RELATED}
      |newsletters?|share\ this(?:\ (?:article|story))?
      |sign\ up.*|subscribe.*|comments?|leave\ a\ (?:comment|reply)|about\ the\ author|tags|follow\ us.*
      |(?:partner|sponsored|promoted|paid)\ (?:news|content|stories|links|posts)(?:(?-i:[A-Z]).*)?  # "Partner newsThe …": glued
      |from\ (?:our|the)\ partners?)[\s:]*$""",
    re.IGNORECASE | re.VERBOSE,
)


#: Chrome that says what it is in so many words, whatever its length: a contributors' line, a
#: citation note, a licence notice, an affiliate disclosure, an author's contact line — each with
#: a phrase it cannot do without, as in _BOILERPLATE_ANYWHERE.  Still only a paragraph of at most
#: MAX_LONG_BOILERPLATE_CHARS: a longer one is an article that mentions it.
MAX_LONG_BOILERPLATE_CHARS = 600
_AFFILIATE = re.compile(
    r"\b(?:may|might|could) (?:earn|get|receive) (?:a )?(?:small )?(?:commission|share of the sale)\b.*"
    r"\b(?:featured|on this page|through (?:our|these|the|this) (?:links?|site|page|post|article)"
    r"|(?:if|when) you (?:buy|purchase|click))\b"
)
_LONG_BOILERPLATE: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("contributed to this", re.compile(r"\bcontributed to this (?:report|story|article)\.?$")),
    ("retrieved ", re.compile(r"\bretrieved .{1,60} from https?://")),
    ("commercial use", re.compile(r"\bfor your personal,? non-?commercial use\b")),
    ("if you ", re.compile(r"^if you (?:buy|purchase) (?:something|anything|a product)\b.{0,40}\b(?:through|via|from) (?:this|our|these|a link|links)\b")),
    ("commission", _AFFILIATE),
    ("share of the sale", _AFFILIATE),
    ("if you ", re.compile(r"^if you (?:enjoyed|liked|value|appreciate) this (?:article|story|post|piece)\b")),
    ("follow ", re.compile(r"\bfollow (?:him|her|them|me|us) on (?:twitter|x|instagram|threads|bluesky) (?:at )?@\w+")),
    ("reached at", re.compile(r"\b(?:may|can) be reached at \S+@\S+")),
    # A sponsored post's disclosure ("This shop has been compensated by #CollectiveBias, Inc. and
    # its advertiser. All opinions are mine alone. #ad"): who paid for it, or whose opinions these are.
    ("compensated", re.compile(r"\b(?:this|the) (?:post|shop|article|review|content|story)(?: (?:has been|is|was))? compensated by\b")),
    ("opinions", re.compile(r"\ball (?:opinions|views|thoughts)(?: expressed)?(?: here(?:in)?)? are (?:(?:entirely|completely|100%) )?(?:mine|my own|our own|ours)\b")),
)
#: Every phrase rule a short paragraph is tried against (a long one: _LONG_BOILERPLATE only).
_SHORT_RULES = _BOILERPLATE_ANYWHERE + _LONG_BOILERPLATE


def is_boilerplate(text: str) -> bool:
    """True when a paragraph is a share prompt, newsletter nag, cookie note or similar chrome."""
    text = text.strip()
    if not text:
        return True
    if len(text) > MAX_LONG_BOILERPLATE_CHARS:
        return False
    short = len(text) <= MAX_BOILERPLATE_CHARS
    if short and _BOILERPLATE.match(text):
        return True
    lowered = text.lower()
    rules = _SHORT_RULES if short else _LONG_BOILERPLATE
    return any(phrase in lowered and rule.search(lowered) for phrase, rule in rules)


def is_chrome_heading(text: str) -> bool:
    """True for headings such as "Related stories" whose whole section is site chrome."""
    return len(text) <= 80 and bool(_CHROME_HEADING.match(text.strip()))


def is_related_label(text: str) -> bool:
    """True for a label such as "More Great WIRED Stories": the page's list of other stories starts here."""
    return len(text) <= 80 and bool(_RELATED_LABEL.match(text.strip()))


def strip_trailer(text: str) -> str:
    """Remove a "Read more @ …" tail glued to the end of a real paragraph."""
    if "read" not in text.lower():  # every trailer says "read": the common case, without a regex scan
        return text
    return _TRAILER.sub("", text)


#: A prompt pointing at the page's media, glued into a paragraph when the page's own line breaks
#: were lost ("… last week. Scroll down for video The kite, dubbed …").  Only where a sentence
#: could start and before what could start the next one, so "he had to scroll down for more
#: news" stays.
_INLINE_PROMPT = re.compile(
    r"""(?:^|(?<=[.!?:"”’')]\ ))
        (?i:scroll\ down\ (?:for|to\ (?:watch|see|view))\ (?:the\ )?(?:videos?|pictures|photos|more))
        [\s:.!]*(?=$|[A-Z0-9"“‘'])""",
    re.VERBOSE,
)


#: A follow prompt closing a paragraph of prose ("… the stuff you want to buy. Follow us at
#: Twitter @igndeals."): a handle to follow, after a sentence of the paragraph's own.
_TRAILING_FOLLOW = re.compile(
    r"""(?<=[.!?"”’)])\s+(?i:(?:follow|find)\ (?:us|me|him|her|them)\ (?:on|at)\ @?
        (?:twitter|x|instagram|facebook|threads|bluesky|tiktok|youtube)(?:\ at)?:?\ ?@\w+)[\s.!]*$""",
    re.VERBOSE,
)


def strip_prompts(text: str) -> str:
    """Remove media prompts ("Scroll down for video") from anywhere in a paragraph, and a follow
    prompt from its end."""
    if "@" in text:
        text = _TRAILING_FOLLOW.sub("", text)
    if "croll" not in text and "CROLL" not in text:  # the common case, without a regex scan
        return text
    return _INLINE_PROMPT.sub("", text).strip()


#: A wire credit opening an article: "(CNN)", "(CNN) -- ", "WASHINGTON (Reuters) - ",
#: "NEW YORK, Nov 3 (AP) — ", "(The Hollywood Reporter)".  An optional dateline in capitals, a
#: short capitalised name in brackets, an optional dash, then the sentence itself.  A dateline
#: in title case counts only when the credit is glued to the sentence, as CNN's pages set it
#: ("Hong Kong (CNN Business)A muddled view…"): with a space after it, "Apple (AAPL) Shares…"
#: may be prose.
_CREDIT = r"\((?:[A-Z][\w.&'’]*(?:\ [\w.&'’]+){0,4})\)"
_WIRE_CREDIT = re.compile(
    rf"""^(?:(?:[A-Z][A-Z.'’ -]{{1,40}}(?:,\ [A-Z][\w.]*(?:\ [\w.]+){{0,2}})?\ ?)?{_CREDIT}\s*(?:[-–—]{{1,2}}\s*)?
          | [A-Z][\w.'’-]*(?:\ [A-Z][\w.'’-]*){{0,3}}\ {_CREDIT})
        (?=["“‘']?[A-Z])""",
    re.VERBOSE,
)


def strip_wire_credit(text: str) -> str:
    """Drop the news agency's credit from the start of an article's first paragraph.

    It belongs to the agency's layout, not to the story: left in, a TL;DR would open with
    "(CNN)They may not be…".
    """
    return _WIRE_CREDIT.sub("", text, count=1)


#: A paragraph of at least this many words (or characters, for scripts written without spaces)
#: is article body; what comes before it is the page's header zone, where labels, kickers and
#: repeats of the title live.
BODY_WORDS = 12
BODY_CHARS = 80
#: A header-zone fragment this short, with no sentence punctuation, is a label ("Categories", "News").
MAX_LABEL_WORDS = 3
MAX_LABEL_CHARS = 30
#: Folding a text-less heading into the next one stops at this title length.
MAX_FOLDED_HEADING_CHARS = 200


def clean_blocks(blocks: list[Block], *, title: str | None = None, byline: str | None = None) -> list[Block]:
    """Drop boilerplate blocks, chrome sections, leading labels, and the header zone's title and byline.

    A boilerplate *heading* ("Advertisement" in bold, a "See it now: Amazon" button) is dropped on
    its own; a chrome heading ("Related stories") takes its whole section with it.  A heading with
    no text under it is folded into the next heading ("Girls basketball — Palm Bay d. Rockledge"),
    so its words are not lost when sections are cut.
    """
    out: list[Block] = []
    skipping_level: int | None = None
    norm_title = _norm(title) if title else ""
    blocks = _from_the_headline(blocks, norm_title)
    in_header = True  # until the first body paragraph
    first_para = True
    for index, block in enumerate(blocks):
        if in_header and _is_standfirst(block, blocks[index + 1 : index + 2]):
            block = Block("para", block.text)
        if block.kind == "heading":
            if not any(c.isalnum() for c in block.text):
                continue  # a rule drawn in characters ("______", "* * *"): no title to give a section
            if skipping_level is not None and block.level <= skipping_level:
                skipping_level = None
            if is_chrome_heading(block.text):
                skipping_level = block.level
                continue
            if skipping_level is not None or is_boilerplate(block.text):
                continue
            if in_header and norm_title and _norm(block.text) == norm_title:
                continue  # the page's own <h1> repeating the title
            out.append(block)
            continue
        if skipping_level is not None:
            continue
        text = strip_prompts(strip_trailer(block.text))
        if not text or is_boilerplate(text):
            continue
        if not out and _is_label(text):
            continue  # a label above everything else: a category, kicker or breadcrumb
        if in_header:
            if _is_byline(text, byline) or (norm_title and _norm(text) == norm_title):
                continue
            in_header = word_count(text) < BODY_WORDS and len(text) < BODY_CHARS
        if first_para and block.kind == "para":
            text = strip_wire_credit(text) or text
            first_para = False
        out.append(block if text == block.text else Block(block.kind, text, block.level))
    return fold_empty_headings(out)


#: Below its headline, an article has at least this many times the words above it.
HEADLINE_BULK = 3


def _from_the_headline(blocks: list[Block], norm_title: str) -> list[Block]:
    """The blocks from the article's own headline on, when the extraction kept text above it.

    An article starts at its headline: a paragraph above the page's heading that repeats the
    title is a teaser from a sidebar or the page's header that the extractor took in ("Night mode
    is an automatic setting…" above a MacBook story), and it would lead the TL;DR.  Only when the
    text below the headline is most of it, so a page that merely repeats its title further down
    keeps everything.
    """
    if not norm_title:
        return blocks
    for index, block in enumerate(blocks):
        if block.kind == "heading" and _norm(block.text) == norm_title:
            if index == 0:
                return blocks
            above = sum(word_count(b.text) for b in blocks[:index])
            below = sum(word_count(b.text) for b in blocks[index + 1 :])
            return blocks[index:] if below >= HEADLINE_BULK * above else blocks
    return blocks


#: A "heading" of at least this many words that ends as a sentence ends is a paragraph.
MIN_SENTENCE_HEADING_WORDS = 15
_SENTENCE_END = re.compile(r"[.!。！][\"'’”)」』）]*$")


def _is_standfirst(block: Block, after: list[Block]) -> bool:
    """A heading above the body that reads as a sentence and has text under it: the story's first words.

    Further down, such a "heading" is a pull quote or a promo, and one with no text under it
    (a promo box's "Get the day's big stories + fun stuff you love …") is left for sectioning to drop.
    """
    return (
        block.kind == "heading"
        and bool(after)
        and after[0].kind != "heading"
        and reads_as_sentence(block.text)
        and not is_chrome_heading(block.text)
    )


def reads_as_sentence(text: str) -> bool:
    """A heading that is really the story's standfirst or lede: long, and ending with a full stop.

    Some sites set their opening sentence in an <h2>/<h3>; kept as a heading, it would be a
    section's title and never reach the TL;DR.  A question ("What happens next?") stays a heading.
    """
    return word_count(text) >= MIN_SENTENCE_HEADING_WORDS and bool(_SENTENCE_END.search(text.rstrip()))


def fold_empty_headings(blocks: list[Block]) -> list[Block]:
    """Join a heading that has no text under it to the heading that follows it ("A — B").

    Only into a heading of the same or a deeper level (a parent or a sibling); otherwise, and at
    the very end, a text-less heading is dropped, as sectioning would drop it.
    """
    out: list[Block] = []
    pending: Block | None = None  # the last heading, still waiting for text
    for block in blocks:
        if block.kind == "heading":
            if (
                pending is not None
                and block.level >= pending.level
                and len(pending.text) + len(block.text) + 3 <= MAX_FOLDED_HEADING_CHARS
            ):
                block = Block("heading", f"{pending.text} — {block.text}", block.level)
            pending = block
            continue
        if pending is not None:
            out.append(pending)
            pending = None
        out.append(block)
    return out


def _is_label(text: str) -> bool:
    """A short fragment with no sentence punctuation: a category label, kicker or breadcrumb."""
    return (
        len(text) <= MAX_LABEL_CHARS
        and word_count(text) <= MAX_LABEL_WORDS
        and not re.search(r"[.!?:;,。！？…]$", text)
    )


_BYLINE = re.compile(r"^(?:by|written\ by|words\ by|reporting\ by)\s+[\w .,'’&-]{1,80}$", re.IGNORECASE | re.VERBOSE)


def _is_byline(text: str, byline: str | None) -> bool:
    if _BYLINE.match(text):
        return True
    return bool(byline) and _norm(text) in {_norm(byline or ""), _norm(f"by {byline}")}


def _norm(text: str) -> str:
    return re.sub(r"\W+", " ", text).strip().lower()
