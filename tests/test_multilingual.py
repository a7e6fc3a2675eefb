"""Articles in other languages and scripts are found as English ones are.

The heuristics read words, function words and sentence ends. Each language here breaks one of the
assumptions English would let slip in: Hindi and Bengali letters carry combining vowel signs (no
``\\w``), Thai has neither spaces between words nor full stops, Urdu ends sentences with ``۔``,
Turkish, Korean, Hebrew and Tamil attach their function words to other words, and several have no
stop-word list of their own. Every page and text below is our own; each must keep all three
paragraphs of its article, drop the boilerplate around it, name its language and verify.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from samples import ARTICLES

from cleaner import clean, verify
from cleaner.rules import load_rules
from cleaner.shipped import builtin_dir

# langdetect's codes where they are not the plain language code
DETECTED = {"zh": "zh-cn"}
ENGLISH = "The weather in the north of the country will be cold and wet for most of the week, and windy on the coast."
MENU = "Home | World | Sport | Culture"
COPYRIGHT = "© 2024 Daily Example. All rights reserved."


def _headline(paragraphs: list[str]) -> str:
    """A few words from the middle of the last paragraph: a headline that repeats no paragraph's start."""
    words = paragraphs[2].split()
    return " ".join(words[3:9]) if len(words) > 12 else paragraphs[2][10:30]


def _page(paragraphs: list[str]) -> bytes:
    """A page whose markup names nothing: no <article>, <main>, <nav> or telling class."""
    body = "".join(f"<p>{p}</p>\n" for p in paragraphs)
    return f"""<!doctype html><html><head><meta charset="utf-8"><title>News</title></head><body>
<div class="top"><a href="/">Home</a> | <a href="/w">World</a> | <a href="/s">Sport</a></div>
<div class="wrap"><div class="col"><h1>{_headline(paragraphs)}</h1>
<div class="meta">2024-05-06 10:00</div>
{body}</div>
<div class="col2"><ul><li><a href="/a">Another story that is linked here</a></li>
<li><a href="/b">A second story that is linked here</a></li></ul></div></div>
<div class="bottom">{COPYRIGHT}</div></body></html>""".encode()


def _text(paragraphs: list[str]) -> bytes:
    """A scraped page: the article, then a line of English prose from elsewhere on the page."""
    lines = [_headline(paragraphs), MENU, *paragraphs, "Most read", ENGLISH, COPYRIGHT]
    return ("\n".join(lines) + "\n").encode()


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_page_in_any_language_keeps_its_article(lang: str) -> None:
    paragraphs = ARTICLES[lang]
    data = _page(paragraphs)
    result = clean(data)
    assert [p for p in paragraphs if p not in result.text] == []
    assert "Another story" not in result.text and COPYRIGHT not in result.text
    assert result.language == DETECTED.get(lang, lang)
    assert verify(result, data) == []


@pytest.mark.parametrize("lang", sorted(ARTICLES))
def test_a_scraped_text_in_any_language_keeps_its_article(lang: str) -> None:
    """Among the lines, one of English prose has far more stop words than any line of the article:
    the article's lines are still prose, judged against the document's own."""
    paragraphs = ARTICLES[lang]
    data = _text(paragraphs)
    result = clean(data)
    assert [p for p in paragraphs if p not in result.text] == []
    assert MENU not in result.text and COPYRIGHT not in result.text
    assert result.language == DETECTED.get(lang, lang)
    assert verify(result, data) == []


# Boilerplate around a scraped article, in the article's language: a share label, a read-also
# heading, the comment form's header and notice, and a copyright line naming the outlet.
NATIVE = {
    "ar": (
        "شارك",
        "اقرأ أيضا",
        "اترك تعليقاً",
        "لن يتم نشر عنوان بريدك الإلكتروني.",
        "© 2024 صحيفة المثال. جميع الحقوق محفوظة",
    ),
    "tr": (
        "Paylaş",
        "İlgili Haberler",
        "Bir yanıt yazın",
        "E-posta hesabınız yayımlanmayacak.",
        "© 2024 Örnek Gazete. Tüm hakları saklıdır.",
    ),
    "zh": ("分享", "相关阅读", "发表评论", "您的电子邮箱地址不会被公开。", "© 2024 示例日报版权所有"),
    "ja": (
        "シェア",
        "関連記事",
        "コメントを残す",
        "メールアドレスが公開されることはありません。",
        "© 2024 例新聞 無断転載を禁じます",
    ),
    "ko": (
        "공유하기",
        "관련기사",
        "댓글",
        "이메일 주소는 공개되지 않습니다.",
        "© 2024 예시일보 무단 전재 및 재배포 금지",
    ),
    "el": (
        "Κοινοποίηση",
        "Διαβάστε επίσης",
        "Σχόλια",
        "Η διεύθυνση email σας δεν δημοσιεύεται.",
        "© 2024 Εφημερίδα Παράδειγμα. Όλα τα δικαιώματα διατηρούνται.",
    ),
    "vi": (
        "Chia sẻ",
        "Tin liên quan",
        "Bình luận",
        "Email của bạn sẽ không được hiển thị công khai.",
        "© 2024 Báo Ví Dụ. Bản quyền thuộc về Báo Ví Dụ.",
    ),
    "he": ("שתפו", "קראו עוד", "כתיבת תגובה", "כתובת האימייל שלך לא תפורסם.", "© 2024 עיתון לדוגמה. כל הזכויות שמורות"),
}
OUTLETS = {
    "ar": "صحيفة المثال",
    "tr": "Örnek Gazete",
    "zh": "示例日报",
    "ja": "例新聞",
    "ko": "예시일보",
    "el": "Εφημερίδα Παράδειγμα",
    "vi": "Báo Ví Dụ",
    "he": "עיתון לדוגמה",
}


@pytest.mark.parametrize("lang", sorted(NATIVE))
def test_boilerplate_in_the_articles_language_goes_and_names_the_outlet(lang: str) -> None:
    paragraphs = ARTICLES[lang]
    share, read_also, comment, notice, copyright = NATIVE[lang]
    other = ARTICLES[lang][1][:40]  # a related story's headline under the read-also heading
    lines = [_headline(paragraphs), share, *paragraphs, read_also, other, comment, notice, copyright]
    data = ("\n".join(lines) + "\n").encode()
    result = clean(data)
    assert [p for p in paragraphs if p not in result.text] == []
    kept = result.text.split("\n")
    assert [b for b in (share, read_also, comment, notice, copyright) if b in kept] == []
    assert result.outlet is not None and result.outlet.name == OUTLETS[lang]
    assert verify(result, data) == []


def test_stop_share_zero_judges_by_the_fixed_share_alone(tmp_path: Path) -> None:
    """``low-quality``'s ``stop_share`` is what keeps the Turkish article among English: set to 0 (the
    fixed ``good_stop_ratio`` alone, as before it existed), the article's lines are not prose."""
    rules = tmp_path / "rules"
    shutil.copytree(builtin_dir(), rules)
    heuristics = rules / "heuristics.toml"
    heuristics.write_text(heuristics.read_text(encoding="utf-8").replace("stop_share = 0.5", "stop_share = 0"))
    data = _text(ARTICLES["tr"])
    assert all(p in clean(data).text for p in ARTICLES["tr"])
    assert not any(p in clean(data, rules=load_rules([rules], builtin=False)).text for p in ARTICLES["tr"])


def test_lines_without_function_words_do_not_lower_the_share() -> None:
    """Tag lists and menus that end like sentences outnumber the prose here and hold no function word:
    most long lines being lists, not prose of a language with few function words, the fixed share
    stands and the lists stay out."""
    article = [
        "The council met on Monday to discuss the budget for the coming year, and members agreed that the "
        "library would stay open on Sundays.",
        "After a long debate, the mayor said that the new plan was a good one and that it would be put to a "
        "vote at the next meeting in June.",
    ]
    junk = [
        "Budget 2024 Council Library Sunday Opening Mayor Vote June Residents Parks Funding Debate Meeting Plan.",
        "Politics Economy Elections Parliament Budget Taxes Healthcare Education Transport Housing Climate Sport.",
        "Weather Traffic Obituaries Classifieds Jobs Property Motors Dating Puzzles Horoscopes Lottery Archive.",
        "Newsletter Podcasts Video Photos Events Competitions Offers Subscriptions Print Edition Contact Careers.",
    ]
    data = ("\n".join(["Library to open on Sundays", *article, "Tags", "Share", *junk]) + "\n").encode()
    result = clean(data)
    assert all(a in result.text for a in article)
    assert not any(j in result.text for j in junk)


def test_short_thai_paragraphs_are_kept() -> None:
    """Paragraphs of ~80 characters: no full stop ends them, and they are under the 30 words that make
    a line prose without one. A page that names no element (the paragraphs sit in <body>) and a
    scraped text with one English line: the Thai article is kept in both."""
    paragraphs = [
        "รัฐบาลประกาศมาตรการใหม่เพื่อช่วยเหลือเกษตรกรที่ได้รับผลกระทบจากภัยแล้งในภาคอีสาน",
        "นายกรัฐมนตรีกล่าวว่าโครงการนี้จะเริ่มในเดือนหน้าและจะช่วยเหลือครัวเรือนได้มาก",
        "ผู้เชี่ยวชาญเตือนว่าปัญหาภัยแล้งอาจรุนแรงขึ้นในอนาคตจึงเสนอให้วางแผนระยะยาว",
    ]
    page = ("<html><body><h1>ข่าวภัยแล้ง</h1>" + "".join(f"<p>{p}</p>" for p in paragraphs) + "</body></html>").encode()
    text = ("\n".join(["ข่าวภัยแล้ง", "หน้าแรก | ข่าว | กีฬา", *paragraphs, ENGLISH]) + "\n").encode()
    for data in (page, text):
        result = clean(data)
        assert all(p in result.text for p in paragraphs) and result.language == "th"
        assert verify(result, data) == []
