"""How a case file breaks into pages (WeasyPrint's own layout, read back box by box): the
signatures stay with the last lines of their text, a session record never leaves fewer than
three of its lines on a page, and no case number or date is cut at the end of a line."""
import re
from datetime import date
from types import SimpleNamespace

from flask import render_template_string
from weasyprint import HTML

from tests.cases.builders import S, Staff, case_in
from webapp.cases import operations
from webapp.documents.builders import build, case_context
from webapp.documents.models import Document
from webapp.documents.render import configured_fonts, css_string, render_html


def _pages(html: str):
    return HTML(string=html).render().pages


def _descendants(box):
    yield box
    for child in getattr(box, "children", ()) or ():
        yield from _descendants(child)


def _classes(box) -> set:
    element = getattr(box, "element", None)
    return set((element.get("class") or "").split()) if element is not None else set()


def _lines(page, inside: str) -> list[str]:
    """The text of each line of the page that lies inside an element of class ``inside``."""
    found = []

    def walk(box, within):
        within = within or inside in _classes(box)
        if type(box).__name__ == "LineBox" and within:
            found.append("".join(b.text for b in _descendants(box) if hasattr(b, "text")))
            return
        for child in getattr(box, "children", ()) or ():
            walk(child, within)

    walk(page._page_box, False)
    return found


def _text(page) -> str:
    return "".join(b.text for b in _descendants(page._page_box) if hasattr(b, "text"))


VARIANTS = """{% extends "documents/_page.html" %}
{% from "documents/_sections.html" import agreement %}
{% block body %}{% for v in variants %}<section class="part">{{ agreement(v) }}</section>{% endfor %}{% endblock %}"""


def test_the_signatures_stay_with_the_last_lines_of_the_agreement(db, tenant):
    """The agreement with one to eighteen clauses, each starting a page: wherever its text
    ends on the page, the closing paragraph and the signatures are on one page."""
    case = case_in(S.RESOLVED, Staff(tenant))
    context = case_context(Document(kind="agreement", tenant_id=tenant.id, case_id=case.id, version=1))
    variants = []
    for clauses in range(1, 19):
        text = "\n".join(f"第{i}条：双方同意按照现场勘测的界线重新埋设界桩，费用由双方各承担一半，"
                         f"于协议签订之日起十五日内完成。" for i in range(1, clauses + 1))
        fake = SimpleNamespace(agreement=SimpleNamespace(text=text, amount=None, perform_by=None,
                                                         signed_on=date(2026, 3, 1)),
                               narrative="因宅基地界线发生争议。" * 12, title=case.title)
        variant = dict(context, case=fake)
        variant["c"] = variant
        variants.append(variant)
    html = render_template_string(VARIANTS, variants=variants, fonts=configured_fonts(), css_string=css_string,
                                  township=context["township"], number=context["number"])
    pages = [_text(page) for page in _pages(html)]
    starts = [i for i, text in enumerate(pages) if "人民调解协议书" in text and "编号" in text]
    assert len(starts) == 18
    spilled = 0
    for first, end in zip(starts, starts[1:] + [len(pages)]):
        closing = [i for i in range(first, end) if "本协议一式" in pages[i]]
        signed = [i for i in range(first, end) if "人民调解员（签名）" in pages[i]]
        assert closing == signed, (first, closing, signed)
        spilled += end - first > 1
    assert spilled  # some variants did run onto a second page


def test_a_session_record_keeps_at_least_three_lines_on_each_page_and_numbers_stay_whole(db, tenant):
    staff = Staff(tenant)
    case = case_in(S.MEDIATING, staff)
    notes = "\n".join(f"{n}. 调解员询问双方当事人对宅基地界线的意见，申请人称其祖辈自一九八〇年起即在此居住。"
                      for n in range(1, 12))
    for day in range(1, 8):
        operations.record_session(case, staff.mediator, held_on=date(2026, 3, day), place="村委会",
                                  participants="张三、李四", notes=notes)
    db.session.flush()
    template, context, title = build(Document(kind="case_file", tenant_id=tenant.id, case_id=case.id, version=1))
    context.pop("appendices", None)
    pages = _pages(render_html(template, title=title, **context))
    counts = [len(_lines(page, "record")) for page in pages]
    assert sum(counts) >= 7 * 11
    assert all(n == 0 or n >= 3 for n in counts), counts
    assert len([n for n in counts if n]) > 1  # the records did run over a page break
    # A case number and a date are each laid out whole: a span cut at the end of a line would
    # come out as two boxes, each with a part of it.
    numbers, dates = _pieces(pages, "number"), _pieces(pages, "date")
    assert numbers and set(numbers) == {case.number}
    assert dates and all(re.fullmatch(r"\d{4}年\d{2}月\d{2}日|\d{4}-\d{2}-\d{2} \d{2}:\d{2}", d) for d in dates), dates


def _pieces(pages, cls) -> list[str]:
    return ["".join(b.text for b in _descendants(box) if hasattr(b, "text"))
            for page in pages for box in _descendants(page._page_box)
            if cls in _classes(box) and type(box).__name__ == "InlineBox"]
