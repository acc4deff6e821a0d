import random

import pytest

from bot.articles.sentences import join_sentences, split_sentences


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


@pytest.mark.parametrize(
    "text, expected",
    [
        # Chinese and Japanese: a full-width mark ends a sentence with no space after it.
        (
            "上海市政府今天发布了新的交通规划。该规划将新建五条地铁线路！市长满意吗？",
            ["上海市政府今天发布了新的交通规划。", "该规划将新建五条地铁线路！", "市长满意吗？"],
        ),
        # A quotation's own mark does not end the sentence that quotes it ("…」と話した", "…”他说");
        # a quotation standing alone ends where a space or another quotation follows it.
        ("館長は「ぜひ来てください。」と話した。開館は十時です。", ["館長は「ぜひ来てください。」と話した。", "開館は十時です。"]),
        ("“我们会准时完工。”他说。工程明年结束。", ["“我们会准时完工。”他说。", "工程明年结束。"]),
        ("「すごい。」 次の日も来た。", ["「すごい。」", "次の日も来た。"]),
        ("「すごい。」「また来たい。」", ["「すごい。」", "「また来たい。」"]),
        # Cyrillic and Greek capitals start a sentence as Latin ones do; a lowercase word does not.
        (
            "В Москве открылась станция. Она стала частью линии. Т. е. это не всё.",
            ["В Москве открылась станция.", "Она стала частью линии.", "Т. е. это не всё."],
        ),
        ("Η Αθήνα είναι η πρωτεύουσα. Έχει πολλά μουσεία.", ["Η Αθήνα είναι η πρωτεύουσα.", "Έχει πολλά μουσεία."]),
        # Abbreviations in other languages, and initials in Cyrillic.
        ("Он живёт в г. Москве. А. С. Пушкин тоже.", ["Он живёт в г. Москве.", "А. С. Пушкин тоже."]),
        ("Das betrifft Disruption bzw. Digital Darwinismus. Es ist neu.", ["Das betrifft Disruption bzw. Digital Darwinismus.", "Es ist neu."]),
        # Scripts without case: Arabic (its own question mark), Hebrew, Devanagari (the danda), Korean.
        ("هل انتهى الاجتماع؟ نعم انتهى. غادر الجميع.", ["هل انتهى الاجتماع؟", "نعم انتهى.", "غادر الجميع."]),
        ("הישיבה הסתיימה. כולם הלכו הביתה.", ["הישיבה הסתיימה.", "כולם הלכו הביתה."]),
        ("बैठक समाप्त हो गई। सभी लोग घर चले गए।", ["बैठक समाप्त हो गई।", "सभी लोग घर चले गए।"]),
        ("회의가 끝났다. 모두 집에 갔다.", ["회의가 끝났다.", "모두 집에 갔다."]),
        ("Հանդիպումն ավարտվեց։ Բոլորը գնացին տուն։", ["Հանդիպումն ավարտվեց։", "Բոլորը գնացին տուն։"]),
        ("အစည်းအဝေး ပြီးဆုံးသွားပြီ။ လူတိုင်း အိမ်ပြန်သွားကြသည်။", ["အစည်းအဝေး ပြီးဆုံးသွားပြီ။", "လူတိုင်း အိမ်ပြန်သွားကြသည်။"]),
        ("កិច្ចប្រជុំបានបញ្ចប់។ អ្នករាល់គ្នាបានទៅផ្ទះ។", ["កិច្ចប្រជុំបានបញ្ចប់។", "អ្នករាល់គ្នាបានទៅផ្ទះ។"]),
        # Thai and Lao mark no sentence's end: a space between two of their letters ends one...
        (
            "กรุงเทพมหานครประกาศแผนสร้างรถไฟฟ้าสายใหม่ห้าสายภายในสิบปีข้างหน้า ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าโครงการนี้จะช่วยลดปัญหาการจราจรติดขัดในเมือง",
            [
                "กรุงเทพมหานครประกาศแผนสร้างรถไฟฟ้าสายใหม่ห้าสายภายในสิบปีข้างหน้า",
                "ผู้ว่าราชการกรุงเทพมหานครกล่าวว่าโครงการนี้จะช่วยลดปัญหาการจราจรติดขัดในเมือง",
            ],
        ),
        (
            "ລັດຖະບານປະກາດແຜນສ້າງທາງລົດໄຟສາຍໃໝ່ພາຍໃນສິບປີຂ້າງໜ້າ ປະຊາຊົນຈຳນວນຫຼາຍສະແດງຄວາມຍິນດີກັບຂ່າວດັ່ງກ່າວ",
            ["ລັດຖະບານປະກາດແຜນສ້າງທາງລົດໄຟສາຍໃໝ່ພາຍໃນສິບປີຂ້າງໜ້າ", "ປະຊາຊົນຈຳນວນຫຼາຍສະແດງຄວາມຍິນດີກັບຂ່າວດັ່ງກ່າວ"],
        ),
        # ...but not one that parts a title, a name and a surname, or leaves a last word alone,
        ("นายกรัฐมนตรี เศรษฐา ทวีสิน กล่าวว่าโครงการนี้จะช่วยลดปัญหาการจราจร", ["นายกรัฐมนตรี เศรษฐา ทวีสิน กล่าวว่าโครงการนี้จะช่วยลดปัญหาการจราจร"]),
        ("ประชาชนจำนวนมากแสดงความยินดีกับข่าวดังกล่าว ครับ", ["ประชาชนจำนวนมากแสดงความยินดีกับข่าวดังกล่าว ครับ"]),
        # ...nor one after a repeated word (ๆ) or an abbreviation (ฯ), nor one before a number.
        ("ประชาชนในพื้นที่ชนบทและเมืองใหญ่ต่างๆ แสดงความยินดีกับข่าวดังกล่าวอย่างมาก", ["ประชาชนในพื้นที่ชนบทและเมืองใหญ่ต่างๆ แสดงความยินดีกับข่าวดังกล่าวอย่างมาก"]),
        ("รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่ในกรุงเทพฯ ภายในสิบปีข้างหน้าตามที่ได้สัญญาไว้", ["รัฐบาลประกาศแผนสร้างรถไฟฟ้าสายใหม่ในกรุงเทพฯ ภายในสิบปีข้างหน้าตามที่ได้สัญญาไว้"]),
        ("ค่าโดยสารของรถไฟฟ้าสายใหม่นี้จะเริ่มต้นที่ 15 บาทตลอดสาย", ["ค่าโดยสารของรถไฟฟ้าสายใหม่นี้จะเริ่มต้นที่ 15 บาทตลอดสาย"]),
    ],
    ids=[
        "chinese",
        "japanese-quotation-then-more",
        "chinese-quotation-then-more",
        "japanese-quotation-alone",
        "japanese-two-quotations",
        "russian",
        "greek",
        "russian-abbreviation-and-initials",
        "german-abbreviation",
        "arabic",
        "hebrew",
        "hindi",
        "korean",
        "armenian",
        "myanmar",
        "khmer",
        "thai",
        "lao",
        "thai-name",
        "thai-short-last-piece",
        "thai-repetition-mark",
        "thai-abbreviation-mark",
        "thai-number",
    ],
)
def test_split_sentences_in_other_scripts(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


def test_split_sentences_loses_no_characters_in_chinese() -> None:
    text = "第一句。第二句！「第三句。」第四句没有标点"
    assert "".join(split_sentences(text)) == text


def test_join_sentences_puts_no_space_after_a_full_width_mark() -> None:
    assert join_sentences(["上海发布规划。", "资金来自政府。"]) == "上海发布规划。资金来自政府。"
    assert join_sentences(["「来て。」", "はい。"]) == "「来て。」はい。"
    assert join_sentences(["One.", "Two."]) == "One. Two."
    assert join_sentences(["English first.", "然后中文。", "Then English."]) == "English first. 然后中文。Then English."
    assert join_sentences([]) == ""


@pytest.mark.parametrize("seed", range(40))
def test_split_sentences_loses_nothing_in_any_script(seed: int) -> None:
    # Random runs of Latin, Cyrillic, CJK, Arabic and Devanagari letters, every kind of sentence
    # mark, quotes, brackets and spaces: whatever the splitter decides, it keeps every character
    # but the spaces between sentences, in order, and returns no empty sentence.
    rnd = random.Random(seed)
    pieces = ["Word", "word", "Слово", "слово", "上海", "東京の", "كلمة", "शब्द", "U.S.", "e.g.", "3.5"]
    pieces += ["กรุงเทพมหานครประกาศแผน", "สร้างรถไฟฟ้าสายใหม่", "ต่างๆ", "กรุงเทพฯ", "ປະຊາຊົນຈຳນວນຫຼາຍ"]
    marks = [".", "!", "?", "…", "。", "！", "？", "।", "؟", "」", "「", "“", "”", "'", '"', "(", ")", " ", " ", "  ", "\n"]
    text = "".join(rnd.choice(pieces if rnd.random() < 0.5 else marks) for _ in range(rnd.randint(0, 80)))
    sentences = split_sentences(text)
    assert all(s and s == s.strip() for s in sentences)
    assert "".join("".join(sentences).split()) == "".join(text.split())
