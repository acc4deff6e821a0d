"""fingerprint / same_story / content_hash / changed_substantially on real article text.

data/drones_uk_ukraine.txt is the seed article's body (it ends in the site's "Read More @ …" and
"Share This Article" boilerplate); data/drones_same_topic_other_story.txt is a different story on the
same topic, written for these tests.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from bot.detect import (
    changed_substantially,
    content_hash,
    fingerprint,
    hamming_distance,
    same_story,
    shingle_change,
)

DATA = Path(__file__).parent / "data"
ARTICLE = (DATA / "drones_uk_ukraine.txt").read_text(encoding="utf-8")
OTHER_STORY = (DATA / "drones_same_topic_other_story.txt").read_text(encoding="utf-8")
FOOTER = "Read More @ kyivindependent.com\n\nShare This Article"
BODY = ARTICLE.replace(FOOTER, "").strip()


def edit(text: str, *replacements: tuple[str, str]) -> str:
    for old, new in replacements:
        assert old in text, old
        text = text.replace(old, new, 1)
    return text


NEAR_COPIES = {
    "footer removed": BODY,
    "another site's footer": BODY + "\n\nSupport independent journalism: become a member today. Follow us on Telegram.",
    "syndication line added": "Originally published by the Kyiv Independent.\n\n" + ARTICLE,
    "three words changed": edit(
        ARTICLE,
        ("significant development", "major development"),
        ("three-year program", "three-year programme"),
        ("unprecedented scale", "unparalleled scale"),
    ),
    "typography only": ARTICLE.upper().replace("’", "'").replace("**", ""),
}


@pytest.mark.parametrize("variant", sorted(NEAR_COPIES))
def test_near_copies_are_the_same_story(variant: str) -> None:
    assert same_story(fingerprint(ARTICLE), fingerprint(NEAR_COPIES[variant]))


@pytest.mark.parametrize(
    "other",
    [
        OTHER_STORY,
        BODY[: len(BODY) // 2],  # only the first half: a different (shorter) text
        " ".join(reversed(BODY.split())),  # same words, different order
    ],
)
def test_different_texts_are_not_the_same_story(other: str) -> None:
    assert not same_story(fingerprint(ARTICLE), fingerprint(other))


def test_different_stories_are_far_apart_not_just_over_the_line() -> None:
    assert hamming_distance(fingerprint(ARTICLE), fingerprint(OTHER_STORY)) > 16


def test_radius_is_a_parameter() -> None:
    a, b = fingerprint(ARTICLE), fingerprint(OTHER_STORY)
    assert same_story(a, b, max_distance=64)
    assert not same_story(a, b, max_distance=0)
    assert same_story(a, a, max_distance=0)


def test_fingerprint_is_a_signed_64_bit_int() -> None:
    values = [fingerprint(t) for t in (ARTICLE, OTHER_STORY, "a b c d", "x", "")]
    assert all(-(2**63) <= v < 2**63 for v in values)
    assert any(v < 0 for v in values) or any(v >= 2**62 for v in values)  # the high bit is used


def test_fingerprint_ignores_case_punctuation_and_spacing() -> None:
    assert fingerprint("The UK, and   Ukraine!") == fingerprint("the uk and ukraine")


def test_empty_text_fingerprints_to_zero() -> None:
    assert fingerprint("") == 0
    assert fingerprint(" ... ") == 0


def test_fingerprint_is_stable_across_processes_and_hash_seeds() -> None:
    """Fingerprints are stored: a new process (another PYTHONHASHSEED) must compute the same value."""
    code = "import sys; from bot.detect import fingerprint; print(fingerprint(sys.stdin.read()))"
    env = {**os.environ, "PYTHONHASHSEED": "12345"}
    out = subprocess.run(
        [sys.executable, "-c", code], input=ARTICLE, capture_output=True, text=True, env=env, check=True,
        cwd=Path(__file__).parents[2],
    )
    assert int(out.stdout) == fingerprint(ARTICLE)


def test_fingerprint_of_a_known_text_never_changes() -> None:
    """Changing the hash functions would silently orphan every stored fingerprint; do it on purpose only."""
    assert fingerprint("the quick brown fox jumps over the lazy dog") == 7989468532911559491


@pytest.mark.parametrize(
    ("a", "b", "equal"),
    [
        ("Hello, World!", "hello   world", True),
        ("Hello world", "Hello world.", True),
        ("Hello world", "Hello there world", False),
        ("", "", True),
    ],
)
def test_content_hash(a: str, b: str, equal: bool) -> None:
    assert (content_hash(a) == content_hash(b)) is equal
    assert len(content_hash(a)) == 64


@pytest.mark.parametrize(
    ("old", "new", "changed"),
    [
        (ARTICLE, ARTICLE, False),
        (ARTICLE, NEAR_COPIES["three words changed"], False),
        (ARTICLE, NEAR_COPIES["typography only"], False),
        (ARTICLE, BODY, False),  # the footer went away
        (ARTICLE, ARTICLE + "\n\n" + OTHER_STORY, True),  # a long update appended
        (ARTICLE, OTHER_STORY, True),
        (ARTICLE, BODY[: len(BODY) // 2], True),  # half the text cut
        ("", "", False),
        ("", "Something new", True),
        ("Something old", "", True),
    ],
)
def test_changed_substantially(old: str, new: str, changed: bool) -> None:
    assert changed_substantially(old, new) is changed


def test_changed_substantially_threshold() -> None:
    new = NEAR_COPIES["three words changed"]
    share = shingle_change(ARTICLE, new)
    assert 0 < share < 0.2
    assert changed_substantially(ARTICLE, new, threshold=share / 2)
    assert not changed_substantially(ARTICLE, new, threshold=share)


def test_short_texts_with_their_title() -> None:
    """Under ~20 words the estimate is coarse, but exact and re-punctuated copies still match."""
    teaser = "UK to fund drone production in Ukraine. Britain will finance Ukrainian-designed drones."
    other = "UK to fund drone production in Ukraine. Denmark will buy Ukrainian artillery shells instead."
    assert same_story(fingerprint(teaser), fingerprint(teaser.upper().replace(".", "!")))
    assert not same_story(fingerprint(teaser), fingerprint(other))


@pytest.mark.parametrize(("a", "b", "distance"), [(0, 0, 0), (0, -1, 64), (-1, 2**64 - 1, 0), (0b1011, 0b0001, 2)])
def test_hamming_distance_reads_signed_and_unsigned_alike(a: int, b: int, distance: int) -> None:
    assert hamming_distance(a, b) == distance
