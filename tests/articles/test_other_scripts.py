"""Articles in scripts other than English's, through the article stages (no I/O).

Each test here failed before the stages counted words and found sentence ends script by script:
a Chinese paragraph was one "word" and one "sentence", so it was its own summary however long,
any Chinese feed entry looked like a teaser, and a long bold Chinese paragraph read as a heading.
"""

from bot.articles.blocks import Block, markdown_to_blocks
from bot.articles.build import article_from_blocks, build_article, is_teaser
from bot.articles.sentences import split_sentences
from bot.model import FeedEntry

#: Four paragraphs of three sentences each, on two topics (the metro lines, then their cost).
CHINESE_MD = """上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。市长表示，这些地铁线路将大大缓解城市交通拥堵。

专家认为，这一规划对长三角地区的发展具有重要意义。新的地铁线路将连接浦东机场和虹桥枢纽。沿线居民对此表示欢迎。

**资金来源**

新线路的建设资金主要来自市政府财政和社会资本。预计总投资将超过三千亿元。部分资金将通过发行地方政府专项债券筹集。

财政局表示，债券将分五年发行。社会资本将通过公私合营模式参与建设。审计部门将全程监督资金使用。
"""


def _article(markdown: str, title: str = "上海发布新的交通规划"):  # type: ignore[no-untyped-def]
    return build_article(FeedEntry(id="zh-1", title=title, content=markdown, content_type="markdown"))


def test_a_chinese_article_gets_sections_whose_summaries_are_some_of_their_sentences() -> None:
    article = _article(CHINESE_MD)
    assert [s.title for s in article.sections] == ["", "资金来源"]
    for section in article.sections:
        chosen = split_sentences(section.summary)
        assert len(chosen) == 2  # the default two of six, not the whole text
        assert all(sentence in section.text for sentence in chosen)
        assert " " not in section.summary
    tldr = split_sentences(article.summary)
    assert len(tldr) == 3 and " " not in article.summary


def test_a_chinese_feed_entry_with_its_full_text_is_not_a_teaser() -> None:
    body = "<p>" + (CHINESE_MD * 2).replace("\n\n", "</p><p>") + "</p>"
    assert not is_teaser(FeedEntry(id="zh-2", title="规划", content=body))  # ~470 characters: ~210 words
    assert is_teaser(FeedEntry(id="zh-3", title="规划", summary="<p>上海市政府今天发布了新的城市交通规划。</p>"))


def test_a_long_bold_chinese_paragraph_is_text_and_a_short_one_a_heading() -> None:
    bold_paragraph = "**" + "上海市政府今天发布了新的城市交通规划和五条地铁线路的建设时间表" * 2 + "**"
    assert [b.kind for b in markdown_to_blocks(bold_paragraph)] == ["para"]
    assert [b.kind for b in markdown_to_blocks("**资金来源**")] == ["heading"]


def test_a_long_chinese_article_without_headings_is_cut_into_parts() -> None:
    # ~3,000 characters (~1,500 words) on two topics, no headings: past 900 words it gets parts.
    metro = "该规划将在未来十年内新建五条地铁线路，连接浦东机场和虹桥枢纽。" * 3
    money = "建设资金主要来自市政府财政和社会资本，部分通过发行专项债券筹集。" * 3
    paragraphs = [metro] * 25 + [money] * 25
    article = article_from_blocks(markdown_to_blocks("\n\n".join(paragraphs)), title="上海交通规划")
    assert len(article.sections) >= 3
    assert article.sections[1].title == "Part 2"


def test_a_chinese_standfirst_set_as_a_heading_is_the_story_s_first_paragraph() -> None:
    standfirst = "上海市政府今天发布了新的城市交通规划，未来十年内将新建五条地铁线路。"  # ~17 words, a full stop
    blocks = [Block("heading", standfirst, 2), *markdown_to_blocks(CHINESE_MD)]
    article = article_from_blocks(blocks, title="上海发布新的交通规划")
    assert article.sections[0].title == ""
    assert article.sections[0].text.startswith(standfirst)
