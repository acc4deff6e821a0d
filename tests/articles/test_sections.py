from bot.articles.blocks import Block
from bot.articles.sections import MAX_SECTIONS, PART_SLACK, PART_WORDS, _depth_scores, split_sections


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


TOPICS = {
    "harbour": "The harbour crane lifted steel beams onto the pier while dock workers secured cargo ships and ferry ropes.",
    "election": "Voters queued at polling stations as the mayor and council candidates counted ballots and campaign pledges.",
    "football": "The striker scored twice before the goalkeeper saved a penalty and the coach praised the midfield defence.",
}


def topic_paragraphs(topic: str, count: int, sentences: int = 4) -> list[str]:
    return [" ".join([TOPICS[topic]] * sentences) for _ in range(count)]


def test_a_long_unheaded_article_is_cut_where_its_topic_changes() -> None:
    # 300, 600 and 420 words: cuts every ~350 words would fall inside the election and football parts.
    harbour, election, football = topic_paragraphs("harbour", 4), topic_paragraphs("election", 8), topic_paragraphs("football", 6)
    sections = split_sections([Block("para", p) for p in harbour + election + football])
    assert [p for s in sections for p in s.paragraphs] == harbour + election + football  # nothing lost or moved
    starts = {sum(len(s.paragraphs) for s in sections[:i]) for i in range(len(sections))}
    assert {0, len(harbour), len(harbour) + len(election)} <= starts  # a part starts where each topic does
    assert all(len(set(s.paragraphs)) == 1 for s in sections)  # so no part mixes two


def test_an_article_on_one_topic_is_cut_into_parts_of_similar_size() -> None:
    paragraphs = [f"Paragraph {i} on the harbour works and the {i}th crane. " * 6 for i in range(30)]
    sections = split_sections([Block("para", p) for p in paragraphs])
    sizes = [sum(len(p.split()) for p in s.paragraphs) for s in sections]
    fair = sum(sizes) / len(sizes)
    assert len(sections) == round(sum(sizes) / PART_WORDS)
    assert all(fair * PART_SLACK[0] <= size <= fair * PART_SLACK[1] for size in sizes), sizes


def test_depth_scores_climb_to_the_peak_on_each_side() -> None:
    # Valleys at 1 and 4: (0.9 − 0.2) + (0.8 − 0.2) and (0.8 − 0.1) + (0.7 − 0.1).
    depth = _depth_scores([0.9, 0.2, 0.5, 0.8, 0.1, 0.7])
    assert [round(d, 3) for d in depth] == [0.0, 1.3, 0.3, 0.0, 1.3, 0.0]
    assert _depth_scores([]) == [] and _depth_scores([0.4]) == [0.0]


def test_a_huge_paragraph_still_leaves_the_rest_cut() -> None:
    paragraphs = ["word " * 2000] + topic_paragraphs("harbour", 20)
    sections = split_sections([Block("para", p) for p in paragraphs])
    assert sections[0].paragraphs == (paragraphs[0],) and len(sections) > 2
    assert [p for s in sections for p in s.paragraphs] == paragraphs


def test_a_huge_paragraph_with_little_after_it_is_not_cut_off_from_it() -> None:
    paragraphs = ["word " * 890, "A short closing note of twenty words " + "more " * 13]
    assert len(split_sections([Block("para", p) for p in paragraphs])) == 1


def test_thousands_of_tiny_paragraphs_are_cut_without_losing_any() -> None:
    paragraphs = [f"word{i % 7} and more" for i in range(20000)]
    sections = split_sections([Block("para", p) for p in paragraphs])
    assert len(sections) == MAX_SECTIONS and sum(len(s.paragraphs) for s in sections) == 20000
