"""Sentence splitting for news in any language, tuned on English: abbreviations, initials, decimals, quotes.

A regex finds every place a sentence *could* end (., ! or ? plus any closing quotes or brackets,
then space and something that can start a sentence — a capital, a digit, or a letter of a script
without case, such as Arabic or Devanagari); a few rules then veto the false ones.  Chinese and
Japanese end a sentence with a full-width mark (。！？) and no space after it, so those marks end
one wherever they stand.  Thai and Lao have no mark for a sentence's end at all: a space ends
one there (see ``SPACED_END``).  Deterministic, dependency-free, and fast enough to run on every
paragraph of every article.
"""

from __future__ import annotations

import re

#: Words that end with a period but almost never end a sentence (lowercased, without the dot).
ABBREVIATIONS = frozenset(
    """mr mrs ms dr prof sr jr st mt ft gen col lt sgt capt cmdr adm maj rep sen gov pres supt
    insp det rev hon fr sr messrs mme mlle jan feb mar apr jun jul aug sep sept oct nov dec
    mon tue tues wed thu thur thurs fri sat sun inc ltd co corp bros llc plc dept univ assn ave
    blvd rd no nos vol vols fig figs pp pg ch sec art approx est etc vs v al cf ca viz
    e.g i.e a.m p.m u.s u.k u.n e.u u.s.a d.c n.y l.a b.c a.d
    nr bzw ggf vgl hr dott avv sig sra srta dra núm avda
    г гг ул им проф акад ген др тыс млн млрд руб грн вул обл""".split()
)
#: Marks that end a sentence when a space and a sentence's start follow: the Latin ones, the
#: Devanagari danda, the Arabic question mark, the Urdu, Ethiopic, Armenian, Myanmar and Khmer
#: full stops.
ENDS = ".!?…।؟۔።։။។"
#: Full-width marks that end a sentence wherever they stand (Chinese and Japanese put no space after them).
WIDE_ENDS = "。！？｡"
#: What may close a sentence after its mark: quotes and brackets, Latin and CJK.
CLOSERS = "'\"’”»)]」』）】〉》"
_CLOSE = re.escape(CLOSERS)  # for a character class
#: What may open a sentence before its first letter.
_OPENERS = "'\"‘“«([「『（"
_OPEN = re.escape(_OPENERS)

#: Words that commonly start a sentence; after "U.S." or "a.m." they mean the sentence did end.
_STARTERS = frozenset(
    """the a an he she it they we i you this that these those there his her its their our but and
    in on at for as after before when while if however meanwhile still yet so also then now
    some many most one two three officials police authorities according""".split()
)

_CANDIDATE = re.compile(
    rf"""(?P<end>[{ENDS}]+)(?P<close>[{_CLOSE}]*)     # the terminator and anything closing it
        (?P<space>\s+)                                 # then whitespace
        (?=[{_OPEN}]*(?P<next>[^\W_]))                 # then a letter or digit (not lowercase: see below)
      | (?P<wide>[{WIDE_ENDS}]+)(?P<wide_close>[{_CLOSE}]*+)(?P<wide_space>\s*)(?=\S)  # 。 and the like
    """,
    re.VERBOSE,
)
#: The letters and marks a Thai or Lao sentence may end with (those that end a word: consonants,
#: vowels and tone marks, not a leading vowel, not ๆ/ໆ or ฯ/ຯ, not a digit).
SPACE_ENDED_LETTERS = "\u0e01-\u0e2e\u0e30-\u0e3a\u0e47-\u0e4e\u0e81-\u0eae\u0eb0-\u0ebc\u0ec8-\u0ecd"
#: Thai and Lao write no spaces between words and no mark at a sentence's end: a space between
#: two of their letters is where a sentence, or a clause, ends.  Not after ๆ/ໆ (a word repeated:
#: "ต่างๆ นานา") or ฯ/ຯ (an abbreviation: "กรุงเทพฯ"), and not next to a digit.
SPACED_END = re.compile(
    f"(?<=[{SPACE_ENDED_LETTERS}])\\s+(?=[\u0e01-\u0e2e\u0e40-\u0e44\u0e81-\u0eae\u0ec0-\u0ec4\u0edc-\u0edf])"
)
#: The space also parts a title, a name and a surname ("นายกรัฐมนตรี เศรษฐา ทวีสิน") and short
#: clauses, so a piece shorter than this many characters stays with the next one (the last with the
#: one before it).
MIN_SPACED_SENTENCE = 30
#: A sentence that ends with a full-width mark: the next one follows it with no space.
_WIDE_END = re.compile(f"[{WIDE_ENDS}][{_CLOSE}]*$")


def split_sentences(text: str) -> list[str]:
    """Split a paragraph into sentences; never returns empty strings, never loses characters."""
    text = text.strip()
    if not text:
        return []
    sentences: list[str] = []
    start = 0
    for match in _CANDIDATE.finditer(text):
        if match.group("wide"):
            if match.group("wide_close") and not match.group("wide_space") and text[match.end()] not in _OPENERS:
                continue  # 「来てください。」と話した: a quotation's own mark; the sentence goes on after it
            end, resume = match.end("wide_close"), match.end("wide_space")
        elif match.group("next").islower() or _is_false_end(text, start, match):
            continue  # a lowercase word goes on the sentence ("e.g. this"); a capital or a caseless letter may not
        else:
            end, resume = match.end("close"), match.end("space")
        sentence = text[start:end].strip()
        if sentence:
            sentences.append(sentence)
        start = resume
    rest = text[start:].strip()
    if rest:
        sentences.append(rest)
    if not text.isascii() and SPACED_END.search(text):
        return [piece for sentence in sentences for piece in _split_at_spaces(sentence)]
    return sentences


def _split_at_spaces(sentence: str) -> list[str]:
    """A Thai or Lao sentence cut where a space ends one (``SPACED_END``), no piece too short."""
    spans: list[list[int]] = []
    start = 0
    for match in SPACED_END.finditer(sentence):
        if match.start() - start >= MIN_SPACED_SENTENCE:
            spans.append([start, match.start()])
            start = match.end()
    if spans and len(sentence) - start < MIN_SPACED_SENTENCE:
        spans[-1][1] = len(sentence)  # a short last piece stays with the one before it
    else:
        spans.append([start, len(sentence)])
    return [sentence[a:b] for a, b in spans]


def join_sentences(sentences: list[str] | tuple[str, ...]) -> str:
    """Sentences as one text: a space between them, none after a full-width mark (。), as CJK is written."""
    out: list[str] = []
    for sentence in sentences:
        if out and not _WIDE_END.search(out[-1]):
            out.append(" ")
        out.append(sentence)
    return "".join(out)


def _is_false_end(text: str, start: int, match: re.Match[str]) -> bool:
    if match.group("end") != ".":
        return False  # ! ? … and runs like "?!" always end (a quote like "Stop!" he said is rare)
    word = _word_before(text, start, match.start("end"))
    if not word:
        return True
    if match.group("close") == "" and word[:1] in "\"“‘«" and len(word) > 2:
        # A quotation opened by this very word and not closed ("South Dakota's viral “Meth. We're
        # On Meth.” campaign", He said, "No. Not now."): a one-word start is a title, a slogan or
        # an answer the quotation goes on from, not a sentence of its own.
        return True
    word = word.lstrip("(\"'“‘[")
    lower = word.lower()
    following = _word_after(text, match.end("space")).strip("\"'“‘«([").lower()
    if len(word) == 1 and word.isalpha() and word.isupper():
        return True  # an initial: "J. K. Rowling"
    if lower in ABBREVIATIONS or (lower.count(".") >= 1 and _is_dotted_abbreviation(lower)):
        # "U.S." or "a.m." can end a sentence; a following common sentence starter says it did.
        if ("." in lower or lower in {"etc", "inc", "ltd", "co", "corp", "jr", "sr"}) and following in _STARTERS:
            return False
        return True
    if match.group("close") == "" and word[-1:].isdigit() and following[:1].isdigit():
        return True  # "No. 5" style numbering split oddly, or "1. 2." lists
    return False


def _word_before(text: str, start: int, end: int) -> str:
    """The run of non-space characters ending at ``end`` (not before ``start``).

    Scans back over that word only, so splitting stays linear even in a paragraph of thousands
    of initials ("A. A. A. …") where every candidate end is vetoed.
    """
    i = end
    while i > start and not text[i - 1].isspace():
        i -= 1
    return text[i:end]


def _word_after(text: str, start: int) -> str:
    """Up to the next space (without slicing the rest of the text: linear, as above)."""
    stop = text.find(" ", start)
    return text[start : stop if stop >= 0 else len(text)]


def _is_dotted_abbreviation(word: str) -> bool:
    """"u.s", "e.g", "ph.d": letters separated by dots."""
    parts = word.split(".")
    return all(0 < len(p) <= 3 and p.isalpha() for p in parts)
