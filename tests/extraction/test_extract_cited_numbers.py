"""Issue 17, batch 5: whose number a customs report prints (docnumber.py).

Every text here is SYNTHETIC (other numbers, years and wording than any bench/corpus document): a number
written after its issuer's verb (海关总署发布了…第N号公告) is that issuer's; a number the report names as the
former text whose rules change (原…公告里的要求, …公告第四条) is cited, not the report's own.
"""

from __future__ import annotations

from crawler.extraction import extract
from crawler.extraction.docnumber import doc_number


def test_a_number_written_after_the_issuers_verb_carries_the_issuer() -> None:
    text = "\n".join([
        "出口报关要认识的几个代码",
        "2031年4月2日,海关总署发布了2031年第17号公告《关于调整跨境电子商务出口监管事项的公告》。"])
    r = extract(text, is_html=False)
    assert r.doc_number == "海关总署公告2031年第17号"


def test_the_former_announcement_whose_rules_no_longer_apply_is_not_the_reports_number() -> None:
    text = "\n".join([
        "出口新规速读",
        "企业今后不用再向海关办理备案,原2029年第33号公告里的有关备案要求不再执行。"])
    assert extract(text, is_html=False).doc_number is None


def test_an_article_of_a_cited_announcement_is_not_the_reports_number() -> None:
    lines = ["某律所简报",
             "该备案要求规定在海关总署公告2029年第33号(关于开展出口监管试点的公告)第五条,征求意见稿拟取消。"]
    assert doc_number(lines, lines[1], {}, False, lines) is None
