import random

import pytest

from bot.articles.sentences import split_sentences
from bot.articles.summarize import (
    MAX_SENTENCE_CHARS,
    quoted_share,
    rank_sentences,
    score_sentences,
    sentence_vectors,
    summarize_article,
    summarize_section,
    without_photo_pointers,
)

SECTION = [
    "The city council approved a new budget for public transport on Tuesday.",
    "The budget adds forty new buses and extends night service on six routes.",
    "Council member Ana Ruiz said the vote was close.",
    "The new buses will run on electricity and arrive next spring.",
    "Night service on the six routes starts in March, the transport agency said.",
]


def test_section_summary_is_whole_sentences_of_the_section_in_order() -> None:
    summary = summarize_section(SECTION, 2)
    chosen = split_sentences(summary)
    assert len(chosen) == 2
    assert all(s in SECTION for s in chosen)
    assert [SECTION.index(s) for s in chosen] == sorted(SECTION.index(s) for s in chosen)


def test_short_section_is_its_own_summary() -> None:
    assert summarize_section(["Only one sentence here."], 2) == "Only one sentence here."
    two = ["First sentence of two.", "Second sentence of two."]
    assert summarize_section(two, 1) == "First sentence of two. Second sentence of two."


def test_summary_length_configurable() -> None:
    for k in (1, 2, 3):
        assert len(split_sentences(summarize_section(SECTION, k))) == k


def test_deterministic() -> None:
    assert {summarize_section(SECTION, 2) for _ in range(5)} == {summarize_section(SECTION, 2)}


def test_rank_prefers_central_early_sentence_over_aside() -> None:
    chosen = rank_sentences(SECTION, 1)
    assert chosen == [0] or chosen == [1]


def test_tldr_is_not_the_first_section_summary_repeated() -> None:
    first = SECTION[:3]
    second = [
        "Meanwhile, fares will stay the same for the third year in a row.",
        "The agency said fares will be reviewed again next year once ridership data is in.",
        "Riders groups welcomed the decision to freeze fares for another year.",
    ]
    first_summary = summarize_section(first, 3)
    tldr = summarize_article([first, second], 3, first_section_summary=first_summary)
    assert tldr != first_summary
    assert any(s in second for s in split_sentences(tldr))


def test_empty_article() -> None:
    assert summarize_article([], 3) == ""
    assert summarize_section([], 2) == ""


@pytest.mark.parametrize(
    ("sentence", "expected"),
    [
        ("Smith (pictured) said the deal was done.", "Smith said the deal was done."),
        ("Wright (centre) and Ramsey (left, with his wife) watched.", "Wright and Ramsey watched."),
        ("Tim Sherwood (from left to right), Les Ferdinand and Chris Ramsey.", "Tim Sherwood, Les Ferdinand and Chris Ramsey."),
        ("(Pictured: the car) It crashed into a wall.", "It crashed into a wall."),
        ("The cheetah pit (file photo of the zoo) is deep.", "The cheetah pit is deep."),
        # Brackets that carry the story's words stay.
        ("He is 6ft (1.8m) tall.", "He is 6ft (1.8m) tall."),
        ("The Right (right-wing) party won.", "The Right (right-wing) party won."),
        ("The leftist (Left Party) bloc won.", "The leftist (Left Party) bloc won."),
    ],
)
def test_photo_pointers_taken_out(sentence: str, expected: str) -> None:
    assert without_photo_pointers(sentence) == expected


def test_summaries_carry_no_photo_pointers() -> None:
    """A summary posts no photo, so "(pictured)" in one would point at nothing."""
    section = [
        "Mayor Ana Ruiz (pictured) opened the new bridge over the river on Monday.",
        "The bridge (left) cost twelve million euros and took three years to build.",
        "(Pictured)",
    ]
    assert summarize_section(section, 2) == (
        "Mayor Ana Ruiz opened the new bridge over the river on Monday. "
        "The bridge cost twelve million euros and took three years to build."
    )
    tldr = summarize_article([section, SECTION], 3, title="Mayor opens bridge")
    assert "(" not in tldr and "pictured" not in tldr.lower()


RUSSIAN = [
    "В Москве сегодня открылась новая станция метро. Она стала частью Большой кольцевой линии. "
    "Мэр города заявил, что строительство станции заняло четыре года. По его словам, станция будет "
    "обслуживать до ста тысяч пассажиров в день. Жители района давно ждали открытия станции."
]
CHINESE = [
    "上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。"
    "市长表示，这些地铁线路将大大缓解城市交通拥堵。专家认为，这一规划对长三角地区的发展具有重要意义。"
    "此外，规划还包括扩建公交专用道和自行车道。"
]




def test_a_chinese_section_is_summarized_in_whole_sentences_written_without_spaces() -> None:
    summary = summarize_section(CHINESE, 2)
    chosen = split_sentences(summary)
    assert len(chosen) == 2
    assert all(s in CHINESE[0] for s in chosen)
    assert summary == "".join(chosen)  # no space between Chinese sentences
    assert CHINESE[0].index(chosen[0]) < CHINESE[0].index(chosen[1])


def test_a_chinese_tldr_is_whole_sentences_too() -> None:
    second = ["新线路的建设资金主要来自市政府财政和社会资本。预计总投资将超过三千亿元。部分资金将通过发行地方政府专项债券筹集。"]
    tldr = summarize_article([CHINESE, second], 3, title="上海发布新的交通规划")
    chosen = split_sentences(tldr)
    assert len(chosen) == 3
    assert " " not in tldr
    assert all(s in CHINESE[0] or s in second[0] for s in chosen)


def test_chinese_sentences_are_finished_and_long_enough() -> None:
    # Sentences ending in 。 are finished, and 20 characters are ~10 words, not one "word": no
    # sentence here may be pushed down by the unfinished-line or too-short penalties.
    scores = score_sentences(split_sentences(CHINESE[0]))
    assert min(scores) > 0


THAI = [
    "กรุงเทพมหานครประกาศแผนสร้างรถไฟฟ้าสายใหม่ห้าสายภายในสิบปีข้างหน้า "
    "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าโครงการนี้จะช่วยลดปัญหาการจราจรติดขัดในเมือง "
    "ประชาชนจำนวนมากแสดงความยินดีกับข่าวดังกล่าว "
    "ผู้เชี่ยวชาญเห็นว่าแผนนี้มีความสำคัญต่อการพัฒนาภูมิภาคตะวันออก "
    "ชาวบ้านที่อาศัยอยู่ตามแนวเส้นทางต่างสนับสนุนโครงการนี้ (ตามรายงานของสำนักข่าวไทย)"
]


@pytest.mark.parametrize("section", [RUSSIAN, THAI], ids=["russian", "thai"])
def test_a_section_in_another_script_is_summarized_in_some_of_its_sentences(section: list[str]) -> None:
    # Before, only a capital A-Z could start a sentence (a Russian section was one "sentence"),
    # and Thai marks no sentence's end (spaces end its sentences now): each paragraph was its
    # section's whole summary, however long.
    summary = summarize_section(section, 2)
    chosen = split_sentences(summary)
    assert len(chosen) == 2
    assert all(s in section[0] for s in chosen)
    assert section[0].index(chosen[0]) < section[0].index(chosen[1])


def test_thai_sentences_are_finished() -> None:
    # Ending in a Thai letter (or a bracket closed after one) is how a Thai sentence ends: no
    # sentence here may be pushed down by the unfinished-line penalty.
    scores = score_sentences(split_sentences(THAI[0]))
    assert len(scores) == 5 and min(scores) > 0


def test_corner_brackets_are_quotation_marks() -> None:
    assert quoted_share("館長は「多くの人に現代美術の魅力を知ってほしい」と話しました。") > 0.5
    assert quoted_share("「今日は晴れです。") == 1.0  # a quotation running on past this sentence
    assert quoted_share("明日も晴れです。」") == 1.0  # the end of one that began earlier


def test_a_megabyte_long_sentence_is_compared_by_its_opening_only() -> None:
    # A hostile page's one endless sentence costs what an ordinary long one does.
    rnd = random.Random(7)
    endless = "".join(chr(rnd.randint(0x4E00, 0x9FFF)) for _ in range(200_000)) + "。"
    vector = sentence_vectors([endless, "上海发布新的交通规划。"])[0]
    assert 0 < len(vector) <= MAX_SENTENCE_CHARS
