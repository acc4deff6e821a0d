from bot.articles.blocks import Block, html_to_blocks, markdown_to_blocks, strip_inline_markdown


def test_markdown_headings_bold_paragraphs_and_lists() -> None:
    md = """# Title

Lead paragraph with a [link](https://x.test/a_(b)) and *emphasis*.

## Second
Text under second,
continued on a new line.

**Bold Heading**

- item one
- item two

**Bold heading glued**
Body right after it.

Setext heading
--------------

> quoted text
"""
    assert markdown_to_blocks(md) == [
        Block("heading", "Title", 1),
        Block("para", "Lead paragraph with a link and emphasis."),
        Block("heading", "Second", 2),
        Block("para", "Text under second, continued on a new line."),
        Block("heading", "Bold Heading", 3),
        Block("para", "item one"),
        Block("para", "item two"),
        Block("heading", "Bold heading glued", 3),
        Block("para", "Body right after it."),
        Block("heading", "Setext heading", 2),
        Block("para", "quoted text"),
    ]


def test_bold_sentence_is_not_a_heading() -> None:
    md = "**This whole paragraph is bold and it ends like a sentence, so it is body text.**"
    assert [b.kind for b in markdown_to_blocks(md)] == ["para"]


def test_inline_markdown_stripped() -> None:
    assert strip_inline_markdown("![img](x.png)**a** _b_ `c` ~~d~~ \\*e <b>f</b> &amp;") == "a b c d *e f &"


def test_html_headings_strong_paragraphs_and_skipped_chrome() -> None:
    markup = """
    <p><strong>Bold Heading</strong></p>
    <p>Some <b>bold</b> words in a paragraph.</p>
    <h3>Third level</h3>
    <script>alert('x')</script><style>p{}</style>
    <figure><img src="a.png"><figcaption>A caption</figcaption></figure>
    <ul><li>one</li><li>two</li></ul>
    <nav><a href="/">Home</a></nav>
    """
    assert html_to_blocks(markup) == [
        Block("heading", "Bold Heading", 3),
        Block("para", "Some bold words in a paragraph."),
        Block("heading", "Third level", 3),
        Block("para", "one"),
        Block("para", "two"),
    ]


def test_a_heading_reads_as_a_browser_shows_it() -> None:
    # Inline elements run together, as on screen: a heading set in two <strong>s split mid-word
    # ("Game D</strong><strong>ay") was read "Game D ay".  A line break or a block parts words.
    markup = "<h2><strong><div></div>5 Tips to Enjoy Game D</strong><strong>ay Parties</strong></h2>"
    assert html_to_blocks(markup) == [Block("heading", "5 Tips to Enjoy Game Day Parties", 2)]
    assert html_to_blocks("<h3>Title<br>Subtitle</h3>") == [Block("heading", "Title Subtitle", 3)]
    assert html_to_blocks("<h3>One<div>Two</div>Three</h3>") == [Block("heading", "One Two Three", 3)]
    assert html_to_blocks("<h2>It<em>'s</em> here<script>x()</script><!-- c --></h2>") == [Block("heading", "It's here", 2)]
    deep = "<h2>" + "<span>" * 3000 + "deep" + "</span>" * 3000 + " end</h2>"
    assert all(b.kind == "heading" for b in html_to_blocks(deep))


def test_hostile_html_never_raises() -> None:
    for junk in ["", "<", "<<<>>>", "\x00\x01", "<div>" * 5000 + "deep" + "</div>" * 5000, "<p>unclosed <b>bold"]:
        blocks = html_to_blocks(junk)
        assert all(isinstance(b, Block) for b in blocks)
