import pytest

from bot.articles.sentences import split_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        ("One. Two.", ["One.", "Two."]),
        (
            "Mr. Smith went to Washington. He arrived at 3.5 p.m. on Jan. 5. It rained.",
            ["Mr. Smith went to Washington.", "He arrived at 3.5 p.m. on Jan. 5.", "It rained."],
        ),
        (
            "The U.S. economy grew 2.1% last year. The U.S. Senate voted. Officials said so.",
            ["The U.S. economy grew 2.1% last year.", "The U.S. Senate voted.", "Officials said so."],
        ),
        ("Prices rose in the U.K. The government responded.", ["Prices rose in the U.K.", "The government responded."]),
        (
            'He said, "We will win." Then he left. "Is it over?" she asked.',
            ['He said, "We will win."', "Then he left.", '"Is it over?" she asked.'],
        ),
        ("He said: “It is done.” She agreed.", ["He said: “It is done.”", "She agreed."]),
        ("J. K. Rowling wrote it. It sold well.", ["J. K. Rowling wrote it.", "It sold well."]),
        ("It costs $3.50 per item. Dr. Jones agreed.", ["It costs $3.50 per item.", "Dr. Jones agreed."]),
        ("Really? Yes! Fine.", ["Really?", "Yes!", "Fine."]),
        # A quotation that opens on one word and goes on is not cut after that word.
        (
            "South Dakota’s viral “Meth. We’re On It.” campaign drew jeers. Officials defended it.",
            ["South Dakota’s viral “Meth. We’re On It.” campaign drew jeers.", "Officials defended it."],
        ),
        ('He said, "No. Not now." Then he left.', ['He said, "No. Not now."', "Then he left."]),
        # A one-word quotation that closes is a sentence's end as usual.
        ('He said "Yes." Then he left.', ['He said "Yes."', "Then he left."]),
        ("no terminal punctuation", ["no terminal punctuation"]),
        ("Version 2.0 shipped. e.g. this stays.", ["Version 2.0 shipped. e.g. this stays."]),
        ("", []),
        ("   ", []),
    ],
)
def test_split_sentences(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_loses_no_words() -> None:
    text = "Gen. Smith (ret.) spoke at 9 a.m. Monday. The St. Louis plant, Inc. said no. 3.14 is pi! Done?"
    assert " ".join(split_sentences(text)).split() == text.split()
