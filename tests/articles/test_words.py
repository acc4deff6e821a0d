"""Words in scripts with and without spaces: counts and the terms sentences are compared by."""

import pytest

from bot.articles.words import has_unspaced, plain_words, terms, word_count


@pytest.mark.parametrize(
    "text",
    [
        "The council approved the budget on Tuesday.",
        "Pelé scored — “twice” — in São Paulo.",
        "В Москве открылась новая станция метро.",
        "  ",
    ],
)
def test_spaced_text_counts_its_space_separated_words(text: str) -> None:
    assert word_count(text) == len(text.split())


def test_an_unspaced_script_counts_a_word_per_two_characters() -> None:
    # 18 characters, then 。 and 12 more: 9 + 6 words; the 。 between them is no word.
    assert word_count("上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建") == 15
    assert word_count("新建五") == 2  # an odd run rounds up
    # A Latin word inside Japanese counts once; the runs around it by their characters:
    # 今日は (3 characters: 2 words), iPhone, の発売日です (6: 3 words).
    assert word_count("今日はiPhoneの発売日です。") == 2 + 1 + 3
    assert word_count("ภาษาไทยง่ายนิดเดียว") == 10  # Thai: 19 characters, vowel signs included


def test_has_unspaced() -> None:
    assert has_unspaced("今日は晴れ")
    assert has_unspaced("สวัสดี")
    assert not has_unspaced("한국어는 띄어 쓴다")  # Hangul spaces its words
    assert not has_unspaced("Plain English.")


def test_ascii_terms_are_the_lowercased_words() -> None:
    assert terms("It’s the U.S. budget: 2,000 buses!") == ["it's", "the", "u", "s", "budget", "2", "000", "buses"]


def test_accented_and_cyrillic_words_stay_whole() -> None:
    assert terms("Pelé marcó en São Paulo") == ["pelé", "marcó", "en", "são", "paulo"]
    assert terms("Москва, Київ") == ["москва", "київ"]


def test_indic_vowel_signs_stay_inside_their_word() -> None:
    # re's \w would cut "हिन्दी" at its vowel signs and virama into four pieces.
    assert terms("हिन्दी समाचार") == ["हिन्दी", "समाचार"]


def test_an_unspaced_run_is_read_as_character_pairs() -> None:
    assert terms("地铁线路") == ["地铁", "铁线", "线路"]
    assert terms("新") == ["新"]
    # A Latin or digit part of the same word stays a word of its own.
    assert terms("G7峰会开幕") == ["g7", "峰会", "会开", "开幕"]


def test_two_sentences_on_one_topic_share_terms_in_chinese() -> None:
    a = set(terms("新建五条地铁线路。"))
    b = set(terms("地铁线路的建设资金来自政府。"))
    c = set(terms("东京新开了一家美术馆。"))
    assert {"地铁", "线路"} <= a & b
    assert not (a & c)


def test_terms_never_contain_spaces_or_punctuation() -> None:
    for text in ("上海，北京。東京「新宿」", "Hello, world — again!", "مرحبا بالعالم؟"):
        assert all(not any(c.isspace() or c in "，。「」,—!؟" for c in t) for t in terms(text))


def test_plain_words_are_the_words_as_written_without_their_punctuation() -> None:
    assert plain_words("“Hello,” she said — (of the) U.S. l’homme 3.5") == ["hello", "she", "said", "of", "the", "u.s", "l'homme", "3.5"]
    assert plain_words("सरकार ने बजट दी। हिन्दी") == ["सरकार", "ने", "बजट", "दी", "हिन्दी"]  # vowel signs stay in their word
    assert plain_words("上海发布规划。") == ["上海发布规划"]  # no character pairs
