import pytest

from bot.articles.blocks import Block
from bot.articles.clean import clean_blocks, is_boilerplate, strip_prompts, strip_trailer


@pytest.mark.parametrize(
    "text",
    [
        "Read More @ kyivindependent.com",
        "Share This Article",
        "Share this story",
        "Share on Facebook",
        "Subscribe to our newsletter",
        "Sign up for our daily briefing and get the news in your inbox.",
        "Follow us on Twitter",
        "Advertisement",
        "Related: Why drones matter",
        "We use cookies to improve your experience.",
        "© 2025 Kyiv Independent. All rights reserved.",
        "Facebook Twitter LinkedIn Email",
        "Click here to read the full report",
        "Continue reading",
        "Scroll down for video",
        "Scroll down to watch the video:",
    ],
)
def test_boilerplate_detected(text: str) -> None:
    assert is_boilerplate(text)


@pytest.mark.parametrize(
    "text",
    [
        "The UK will finance the procurement of Ukrainian-designed drones manufactured in Britain.",
        "Readers who subscribe to the newsletter of the ministry were told about the deal two days earlier, "
        "which officials said was an oversight that will be investigated by the parliamentary committee next week.",
        "Share prices rose 3% after the announcement.",
        "Scroll down for video of the rescue, which firefighters said took four hours in heavy rain.",
    ],
)
def test_content_kept(text: str) -> None:
    assert not is_boilerplate(text)


def test_trailer_stripped_from_real_paragraph() -> None:
    assert strip_trailer("The war goes on. Read more @ example.com") == "The war goes on."
    assert strip_trailer("The war goes on. READ THE FULL STORY: example.com") == "The war goes on."
    assert strip_trailer("The war goes on. Continue reading …") == "The war goes on."
    assert strip_trailer("Nothing to strip here.") == "Nothing to strip here."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("It was impressive. Scroll down for video The kite flew.", "It was impressive. The kite flew."),
        ("Scroll down for video. 'Yes,' he said.", "'Yes,' he said."),
        ("He wept. SCROLL DOWN TO WATCH THE VIDEO: Police arrived.", "He wept. Police arrived."),
        ("Scroll down to see more", ""),
        # Where it is the sentence's own words, it stays.
        ("He had to scroll down for more news.", "He had to scroll down for more news."),
        ("Scroll down for video of the rescue, which took hours.", "Scroll down for video of the rescue, which took hours."),
        # A follow prompt closing a paragraph goes; one inside a sentence is the sentence's own.
        ("The best deals on the stuff you want. Follow us at Twitter @igndeals.", "The best deals on the stuff you want."),
        ("He said so. Follow her on Instagram @jane", "He said so."),
        ("He vowed to follow us on Twitter @foo and then left.", "He vowed to follow us on Twitter @foo and then left."),
        ("Email me at a@b.com. I read everything.", "Email me at a@b.com. I read everything."),
    ],
)
def test_prompts_removed_from_inside_a_paragraph(text: str, expected: str) -> None:
    assert strip_prompts(text) == expected


def test_clean_blocks_removes_a_glued_prompt_and_keeps_the_paragraph() -> None:
    blocks = [Block("para", "The boy fell into the pit on Saturday. Scroll down for video He was rescued by his parents.")]
    assert [b.text for b in clean_blocks(blocks)] == ["The boy fell into the pit on Saturday. He was rescued by his parents."]


def test_clean_blocks_drops_chrome_sections_title_and_byline() -> None:
    blocks = [
        Block("heading", "My Story", 1),
        Block("para", "By Jane Doe"),
        Block("para", "Real lead paragraph."),
        Block("heading", "Related stories", 2),
        Block("para", "Some other story"),
        Block("para", "Another other story"),
        Block("heading", "Real section", 2),
        Block("para", "Real text."),
        Block("para", "Share This Article"),
    ]
    assert clean_blocks(blocks, title="My Story", byline="Jane Doe") == [
        Block("para", "Real lead paragraph."),
        Block("heading", "Real section", 2),
        Block("para", "Real text."),
    ]
