"""Stop words in the article's own language (bot/articles/stopwords.py)."""

import random

import pytest

from bot.articles.build import build_article
from bot.articles.sentences import split_sentences
from bot.articles.stopwords import ENGLISH_STOPWORDS, language_of, stopwords
from bot.articles.summarize import article_language, tokens
from bot.articles.words import plain_words
from bot.model import FeedEntry


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("The council approved the budget on Tuesday, and the buses will run in the spring.", "english"),
        ("Der Stadtrat hat am Dienstag den Haushalt beschlossen, und die Busse fahren ab dem Frühjahr.", "german"),
        ("Le conseil a voté le budget mardi, et les bus rouleront dès le printemps dans la ville.", "french"),
        ("El consejo aprobó el presupuesto el martes y los autobuses circularán desde la primavera.", "spanish"),
        ("Городской совет во вторник утвердил бюджет, и автобусы выйдут на линии уже весной.", "russian"),
        ("सरकार ने मंगलवार को बजट को मंजूरी दी और कहा कि नई बसें शहर के लिए बहुत अच्छी हैं।", "hindi"),
        # A Japanese page's few Latin words ("for", "PC") name no language: English's list, as before.
        ("Kindle for PCの起動ショートカットキーがKeePassと被るので、設定を変更する方法を紹介します。", "english"),
        ("", "english"),
    ],
)
def test_language_of(text: str, expected: str) -> None:
    assert language_of(plain_words(text)) == expected
    assert article_language([[text]]) == expected


def test_english_keeps_newsbot_s_own_list() -> None:
    # The validation-tuned list, not the package's 1,300 words: English summaries are unchanged.
    assert stopwords("english") is ENGLISH_STOPWORDS
    assert {"said", "mr", "year"} <= ENGLISH_STOPWORDS


def test_a_german_sentence_is_compared_by_its_content_words() -> None:
    sentence = "Der Haushalt bringt der Stadt und dem Land vierzig neue Busse für den Nahverkehr."
    assert {"der", "und", "dem", "für", "den"} <= set(tokens(sentence))  # English's list knows none of them
    german = tokens(sentence, "german")
    assert not {"der", "und", "dem", "für", "den"} & set(german)
    assert german == ["haushalt", "bringt", "stadt", "land", "vierzig", "neu", "buss", "nahverkehr"]
    assert article_language([[sentence]]) == "german"


#: A German section whose second sentence is nothing but function words: with English's stop
#: words it shares "der", "mit" and "und" with every other sentence and looked the most central.
GERMAN_SECTION = (
    "Am Dienstag wurde abgestimmt. "
    "Es ist nicht so, dass es mit dem und mit der nicht auch so sein kann, wie es ist, und das ist auch gut so. "
    "Der Haushalt bringt der Stadt vierzig neue Busse für den Nahverkehr. "
    "Die neuen Busse für den Nahverkehr fahren ab dem Frühjahr mit Strom. "
    "Der Nachtverkehr mit den neuen Bussen beginnt im März, bezahlt aus dem Haushalt. "
    "Der Haushalt für den Nahverkehr und die Busse wächst damit um ein Fünftel."
)


def test_a_german_article_is_summarized_with_german_stop_words() -> None:
    article = build_article(FeedEntry(id="de-1", title="Neue Busse", content=GERMAN_SECTION, content_type="markdown"))
    chosen = split_sentences(article.sections[0].summary)
    assert chosen == [
        "Der Haushalt bringt der Stadt vierzig neue Busse für den Nahverkehr.",
        "Die neuen Busse für den Nahverkehr fahren ab dem Frühjahr mit Strom.",
    ]


def test_a_long_german_article_is_cut_where_its_topic_changes_not_its_function_words() -> None:
    # Harbour, harbour, then elections; the second harbour stretch writes "ein", "oder", "auch"
    # where the first wrote "der", "und", "mit".  Counted as content (English's list), that shift
    # was the deepest dip and a part began inside the harbour story; without them, at the elections.
    rnd = random.Random(0)
    definite = "der die das und mit dem den des im am zum zur".split()
    indefinite = "ein eine einer einem oder auch noch schon nur sehr aber doch".split()
    harbour, election = "Hafen Kran Kai Mole Dock Werft".split(), "Wahl Partei Rathaus Stimme Kandidat Urne".split()

    def paragraph(content: list[str], function: list[str]) -> str:
        return " ".join(rnd.choice(content) if rnd.random() < 0.25 else rnd.choice(function) for _ in range(90)) + "."

    paragraphs = [paragraph(harbour, definite) for _ in range(3)] + [paragraph(harbour, indefinite) for _ in range(3)]
    paragraphs += [paragraph(election, indefinite) for _ in range(6)]
    entry = FeedEntry(id="de-2", title="Hafen und Wahl", content="\n\n".join(paragraphs), content_type="markdown")
    article = build_article(entry)
    starts = {paragraphs.index(section.text.split("\n\n")[0]) for section in article.sections}
    assert 6 in starts and 3 not in starts
