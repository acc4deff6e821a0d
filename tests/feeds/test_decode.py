"""Article pages decoded in the encoding they are written in (bot.feeds.decode)."""

from __future__ import annotations

import pytest

from bot.feeds.decode import decode_page

JAPANESE = "東京で新しい美術館が開館しました。館内には約三百点の作品が展示されています。"
CHINESE = "上海市政府今天发布了新的城市交通规划。该规划将在未来十年内新建五条地铁线路。"
RUSSIAN = "В Москве сегодня открылась новая станция метро. Жители района давно ждали открытия."
FRENCH = "Le café « naïf » a ouvert à Besançon — une première."


def page(text: str, head: str = "") -> str:
    return f"<!DOCTYPE html><html><head>{head}<title>t</title></head><body><p>{text}</p></body></html>"


@pytest.mark.parametrize(
    ("text", "encoding", "meta"),
    [
        (JAPANESE, "shift_jis", '<meta charset="Shift_JIS">'),
        (JAPANESE, "euc_jp", '<meta http-equiv="Content-Type" content="text/html; charset=EUC-JP">'),
        (CHINESE, "gbk", '<meta charset="gb2312">'),
        (RUSSIAN, "cp1251", '<meta charset="windows-1251">'),
        # Labelled ISO-8859-1, written in windows-1252 (its "—" is byte 0x97): read as browsers do.
        (FRENCH, "cp1252", '<meta charset="iso-8859-1">'),
    ],
)
def test_a_page_is_read_in_the_charset_its_meta_tag_declares(text: str, encoding: str, meta: str) -> None:
    body = page(text, meta).encode(encoding)
    assert text in decode_page(body, "text/html")


@pytest.mark.parametrize(("text", "encoding"), [(JAPANESE, "shift_jis"), (CHINESE, "gb18030"), (RUSSIAN, "koi8-r")])
def test_a_page_is_read_in_the_charset_its_content_type_declares(text: str, encoding: str) -> None:
    body = page(text).encode(encoding)
    assert text in decode_page(body, f"text/html; charset={encoding}")


def test_the_header_wins_over_the_meta_tag() -> None:
    # HTTP's word comes first, as in browsers: a server that transcoded the page says so.
    body = page(RUSSIAN, '<meta charset="iso-8859-1">').encode("cp1251")
    assert RUSSIAN in decode_page(body, "text/html; charset=windows-1251")


def test_a_byte_order_mark_wins_over_everything() -> None:
    body = "\ufeff".encode("utf-16-le") + page(CHINESE, '<meta charset="gbk">').encode("utf-16-le")
    assert CHINESE in decode_page(body, "text/html; charset=iso-8859-1")


def test_utf8_without_a_declaration_is_utf8() -> None:
    assert JAPANESE in decode_page(page(JAPANESE).encode("utf-8"), "text/html")
    assert FRENCH in decode_page(page(FRENCH).encode("utf-8"), None)


def test_an_undeclared_legacy_page_is_recognised() -> None:
    # Nothing says windows-1251, but the bytes are not UTF-8: the encoding is guessed.
    body = page(" ".join([RUSSIAN] * 4)).encode("cp1251")
    assert RUSSIAN in decode_page(body, "text/html")


def test_an_undeclared_western_page_is_read_as_windows_1252_not_a_guessed_latin_code_page() -> None:
    # charset-normalizer alone guessed windows-1250 here, and "naïve" read "naďve".
    text = "Café “quotes” — naïve Besançon"
    assert text in decode_page(page(text).encode("cp1252"), "text/html")


def test_bytes_a_declared_encoding_cannot_decode_are_replaced_not_raised() -> None:
    body = page("Broken \xff\xfe bytes").encode("latin-1").replace(b"Broken", b"Broken \x81\x82")
    text = decode_page(body, "text/html; charset=utf-8")
    assert "Broken" in text and "bytes" in text


@pytest.mark.parametrize("content_type", ["text/html; charset=no-such-thing", "text/html; charset=", "", "garbage;;charset"])
def test_a_nonsense_charset_label_is_ignored(content_type: str) -> None:
    assert JAPANESE in decode_page(page(JAPANESE).encode("utf-8"), content_type)
