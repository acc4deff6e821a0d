from bot.articles.blocks import Block
from bot.articles.sections import MAX_SECTIONS, split_sections


def test_lead_and_titled_sections_in_order() -> None:
    blocks = [
        Block("para", "Lead."),
        Block("heading", "A", 2),
        Block("para", "a1"),
        Block("para", "a2"),
        Block("heading", "Empty", 2),
        Block("heading", "B", 3),
        Block("para", "b1"),
    ]
    sections = split_sections(blocks)
    assert [(s.title, s.paragraphs) for s in sections] == [("", ("Lead.",)), ("A", ("a1", "a2")), ("B", ("b1",))]
    assert sections[1].text == "a1\n\na2"


def test_short_unheaded_article_is_one_section() -> None:
    sections = split_sections([Block("para", "word " * 100)])
    assert len(sections) == 1 and sections[0].title == ""


def test_long_unheaded_article_is_cut_into_parts_without_losing_text() -> None:
    paragraphs = [f"Paragraph {i} " + "word " * 60 for i in range(40)]
    sections = split_sections([Block("para", p) for p in paragraphs])
    assert 3 <= len(sections) <= 10
    assert sections[0].title == "" and sections[1].title == "Part 2"
    assert [p for s in sections for p in s.paragraphs] == paragraphs


def test_hostile_number_of_headings_is_bounded() -> None:
    blocks = []
    for i in range(1000):
        blocks += [Block("heading", f"H{i}", 2), Block("para", f"text {i}")]
    sections = split_sections(blocks)
    assert len(sections) == MAX_SECTIONS
    assert sum(len(s.paragraphs) for s in sections) >= 1000  # nothing lost, headings folded into text
