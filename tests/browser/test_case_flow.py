"""One dispute from intake to closed, on phones, through the pages alone.

Four people, each on a phone of their own: the intake clerk registers the dispute and
assesses it, the center director assigns the mediator, the mediator records a session and
the agreement, the stability officer makes both follow-up visits, and the director closes
the case. Every action opens its form in place and answers in place (HTMX): a marker set on
``window`` before the tap must still be there afterwards.

Other browser tests share the live server's demo database, so nothing here assumes how many
cases there are or which number comes next: the number is read off the page.
"""
import math
import re
from datetime import datetime, timedelta

import pytest

from tests.browser.conftest import sign_in
from tests.browser.test_layout import _overflow
from webapp.timelimits import BEIJING

expect = pytest.importorskip("playwright.sync_api").expect

CASE_PATH = re.compile(r"/t/mangbang/cases/(\d+)$")
NUMBER = re.compile(r"芒棒〔(\d{4})〕第\d{4}号")

# Display names of the demo accounts (webapp/demo.py): what the timeline shows.
CLERK, ADMIN, MEDIATOR, OFFICER = "芒棒镇受理员", "芒棒镇调处中心主任", "芒棒镇调解员", "芒棒镇综治维稳员"

APPLICANT, APPLICANT_PHONE, MASKED_PHONE = "李桂芬", "13812345678", "138****5678"
AGREEMENT = "王德明于本月底前拆除越界围墙，并赔偿李桂芬青苗损失。"


def _nowhere(page, where):
    """The default ``look``: the flow itself checks nothing on the way."""


_started = []


@pytest.fixture(autouse=True)
def _test_started():
    _started[:] = [datetime.now(BEIJING)]


def _days_of_this_test() -> set[str]:
    """The dates in Beijing from the test's start until now. The live server runs at the real
    time, so "today" on a page is one of these, even when midnight passes during the test."""
    first, last = _started[0].date(), datetime.now(BEIJING).date()
    return {(first + timedelta(days=n)).isoformat() for n in range((last - first).days + 1)}


# -- the steps, as people take them on a phone ------------------------------------------------


def case_of(page, case_id):
    return page.locator(f"#case-{case_id}")


def state_of(page, case_id):
    return case_of(page, case_id).locator(".chip.state")


def register(page, look=_nowhere, title="芒棒村李桂芬与王德明宅基地界址纠纷"):
    """The clerk, signed in, goes through the menu to 登记纠纷 and registers a walk-in with
    its applicant; returns the new case's id (from the address it lands on)."""
    page.locator("details.menu summary").tap()
    page.locator("details.menu nav").get_by_role("link", name="登记纠纷", exact=True).tap()
    page.wait_for_url("**/t/mangbang/cases/new")
    look(page, "登记纠纷")
    form = page.locator("main form")
    form.get_by_label("标题", exact=True).fill(title)
    form.get_by_label("来源", exact=True).select_option(label="来访")
    form.get_by_label("申请人姓名", exact=True).fill(APPLICANT)
    form.get_by_label("申请人电话", exact=True).fill(APPLICANT_PHONE)
    form.get_by_role("button", name="登记", exact=True).tap()
    # The same applicant, registered by another test on this server, is a likely duplicate
    # (疑似重复登记, shown before saving): each of these disputes is one of its own.
    likely = page.locator("#likely-duplicates")
    expect(likely.or_(page.locator("article.case"))).to_be_visible()
    if likely.is_visible():
        likely.get_by_label("仍然登记：不是同一纠纷").check()
        form.get_by_role("button", name="登记", exact=True).tap()
    page.wait_for_url(CASE_PATH)
    case_id = int(CASE_PATH.search(page.url).group(1))
    expect(state_of(page, case_id)).to_have_text("已登记")
    look(page, "case page, registered")
    return case_id


def open_action(page, case_id, action, look=_nowhere):
    """Tap an action button of the case page: its form must open in place, with no page load."""
    page.evaluate("window.__samePage = true")
    actions = case_of(page, case_id).locator("#case-actions")
    actions.get_by_role("link", name=action, exact=True).tap()
    expect(actions.get_by_role("heading", name=action, exact=True)).to_be_visible()
    form = actions.locator("form")
    expect(form).to_be_visible()
    assert page.evaluate("window.__samePage") is True, f"{action}: the form came with a new page, not in place"
    look(page, f"{action} form")
    return form


def submit(page, case_id, form, action, state, look=_nowhere):
    """Tap the form's button; the case must answer in place with its new state, and with the
    message and the state in view (the button was at the foot of the form)."""
    form.get_by_role("button", name=action, exact=True).tap()
    expect(state_of(page, case_id)).to_have_text(state)
    assert page.evaluate("window.__samePage") is True, f"{action}: the answer came as a new page, not in place"
    expect(case_of(page, case_id).locator("#case-actions form")).to_have_count(0)
    _message_in_view(page, f"已完成：{action}。")
    _in_sight(page, state_of(page, case_id))
    look(page, f"case page, {state}")


def _message_in_view(page, text):
    """The one message of the page says ``text``, where the person can see it."""
    flash = page.locator("#flash")  # strict: a second, stale message box fails here
    expect(flash).to_have_text(text)
    _in_sight(page, flash)


def _in_sight(page, locator):
    """Wholly on the screen, and not hidden under the sticky top bar."""
    expect(locator).to_be_in_viewport()
    box, bar = locator.bounding_box(), page.locator("header.topbar").bounding_box()
    height = page.viewport_size["height"]
    assert bar["y"] + bar["height"] - 1 <= box["y"] and box["y"] + box["height"] <= height, (box, bar)


def assess(page, case_id, look=_nowhere):
    form = open_action(page, case_id, "研判", look)
    form.get_by_role("group", name="难易程度").get_by_role("radio", name="一般", exact=True).check()
    form.get_by_role("group", name="风险等级").get_by_role("radio", name="可稳控", exact=True).check()
    form.get_by_label("重点地区", exact=True).fill("芒棒村")
    form.get_by_label("研判意见", exact=True).fill("双方争议宅基地界址约两米，情绪尚稳，由中心调解。")
    submit(page, case_id, form, "研判", "已研判", look)


def find_and_open(page, number, case_id, look=_nowhere):
    """The director looks the case up by its number in the case list and taps it."""
    page.locator("details.menu summary").tap()
    page.locator("details.menu nav").get_by_role("link", name="案件", exact=True).tap()
    page.wait_for_url("**/t/mangbang/cases/")
    page.get_by_role("searchbox", name="搜索").fill(number)
    row = page.locator(f"#case-row-{case_id}")
    expect(page.locator("#case-results li")).to_have_count(1)
    look(page, "case list, searched by number")
    row.get_by_role("link").tap()
    page.wait_for_url(f"**/t/mangbang/cases/{case_id}")


def start_mediation(page, case_id, look=_nowhere):
    form = open_action(page, case_id, "开始调处", look)
    form.get_by_label("人民调解员", exact=True).select_option(label=MEDIATOR)
    submit(page, case_id, form, "开始调处", "调解中", look)


def record_session(page, case_id, look=_nowhere):
    """调解记录: the mediator opens 记录一次调解 under the sessions and saves one."""
    page.evaluate("window.__samePage = true")
    sessions = page.locator(f"#case-{case_id}-sessions")
    sessions.locator("summary", has_text="记录一次调解").tap()
    form = sessions.locator("form")
    expect(form).to_be_visible()
    today = form.get_by_label("日期", exact=True).input_value()
    assert today in _days_of_this_test(), today  # today, by default
    look(page, "记录一次调解 form")
    form.get_by_label("地点", exact=True).fill("芒棒镇调处中心调解室")
    form.get_by_label("参加人员", exact=True).fill("李桂芬、王德明、芒棒村村委会主任")
    form.get_by_label("调解笔录", exact=True).fill("双方到现场重新丈量界址，王德明同意拆除越界部分。")
    form.get_by_role("button", name="保存", exact=True).tap()
    expect(sessions.locator("li")).to_contain_text([f"{today} · 芒棒镇调处中心调解室"])
    _message_in_view(page, "调解记录已保存。")
    assert page.evaluate("window.__samePage") is True, "调解记录: the answer came as a new page, not in place"
    look(page, "case page, session recorded")


def resolve(page, case_id, look=_nowhere):
    form = open_action(page, case_id, "达成协议", look)
    form.get_by_label("调解协议", exact=True).fill(AGREEMENT)
    form.get_by_label("金额（元）", exact=True).fill("3000")
    submit(page, case_id, form, "达成协议", "调解成功", look)


def follow_up(page, case_id, look=_nowhere):
    """One 回访: the first visit still open, agreement carried out, no flare-up."""
    form = open_action(page, case_id, "回访", look)
    form.get_by_role("group", name="协议是否正在履行？").get_by_role("radio", name="是", exact=True).check()
    form.get_by_role("group", name="纠纷是否可能反弹？").get_by_role("radio", name="否", exact=True).check()
    form.get_by_label("回访情况", exact=True).fill("围墙已拆除，赔偿已付清，双方无异议。")
    submit(page, case_id, form, "回访", "回访中", look)


def close(page, case_id, look=_nowhere):
    form = open_action(page, case_id, "结案", look)
    form.get_by_label("备注", exact=True).fill("协议履行完毕，两次回访无反弹。")
    submit(page, case_id, form, "结案", "已结案", look)


# -- the whole way ----------------------------------------------------------------------------


def test_a_dispute_goes_from_intake_to_closed_on_phones(phone, phone_as, base_url):
    case_url = f"{base_url}/t/mangbang/cases/{{}}"

    # 1. The clerk registers a walk-in; the page shows the new number and the phone masked.
    clerk = phone
    sign_in(clerk, base_url, "mangbang.clerk")
    case_id = register(clerk)
    number = clerk.locator(f"#case-{case_id} .case-number").inner_text()
    assert NUMBER.fullmatch(number), number
    assert NUMBER.fullmatch(number).group(1) in {day[:4] for day in _days_of_this_test()}
    _message_in_view(clerk, f"已登记，案号{number}。")
    applicant = clerk.locator(f"#case-{case_id}-parties .party", has_text=APPLICANT)
    expect(applicant.locator("[id$='-phone']")).to_have_text(MASKED_PHONE)
    assert APPLICANT_PHONE not in clerk.content()

    # 2. The clerk assesses it in place: ordinary difficulty, controllable risk.
    assess(clerk, case_id)
    case = case_of(clerk, case_id)
    chip = case.locator(".chip.light-chip")
    expect(chip).to_have_text(re.compile(r"^\s*剩余\d+天\s*$"))
    expect(case.locator(".case-head .chips")).to_contain_text("可稳控")
    expect(case.locator(".case-head .chips")).to_contain_text("一般")
    # The chip counts the whole days left until the deadline the details give.
    limit = case.locator("dl.facts dt", has_text="办结时限").locator("xpath=following-sibling::dd[1]")
    due = re.search(r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}", limit.inner_text())
    assert due, limit.inner_text()
    due = datetime.strptime(due.group(), "%Y-%m-%d %H:%M").replace(tzinfo=BEIJING)
    left = math.floor((due - datetime.now(BEIJING)).total_seconds() / 86400)
    assert left > 0 and chip.inner_text().strip() == f"剩余{left}天", (chip.inner_text(), limit.inner_text())

    # 3. The director finds the case by its number and assigns the township's mediator.
    admin = phone_as("mangbang.admin")
    find_and_open(admin, number, case_id)
    start_mediation(admin, case_id)
    mediator_fact = case_of(admin, case_id).locator("dl.facts dt", has_text="人民调解员")
    expect(mediator_fact.locator("xpath=following-sibling::dd[1]")).to_have_text(MEDIATOR)

    # 4. The mediator records a session and the agreement.
    mediator = phone_as("mangbang.mediator")
    mediator.goto(case_url.format(case_id))
    record_session(mediator, case_id)
    resolve(mediator, case_id)
    agreement = case_of(mediator, case_id).locator("section", has=mediator.get_by_role("heading", name="调解协议"))
    expect(agreement).to_contain_text(AGREEMENT)
    expect(agreement).to_contain_text("¥3000")
    visits = case_of(mediator, case_id).locator("section", has=mediator.get_by_role("heading", name="回访记录"))
    expect(visits.locator("li")).to_have_count(2)
    expect(visits).to_contain_text("尚未回访")

    # 5. The stability officer makes both visits; after the second nothing is left to visit.
    officer = phone_as("mangbang.officer")
    officer.goto(case_url.format(case_id))
    follow_up(officer, case_id)
    follow_up(officer, case_id)
    visits = case_of(officer, case_id).locator("section", has=officer.get_by_role("heading", name="回访记录"))
    expect(visits.locator("li")).to_have_count(2)
    expect(visits.locator("li", has_text="已回访")).to_have_count(2)
    expect(visits.locator("li", has_text=f"（{OFFICER}）：")).to_have_count(2)
    expect(visits).not_to_contain_text("尚未回访")
    actions = case_of(officer, case_id).locator("#case-actions")
    expect(actions.get_by_role("link", name="回访", exact=True)).to_have_count(0)
    expect(actions.get_by_role("link", name="结案", exact=True)).to_have_count(0)

    # 6. The director closes it; the timeline lists every step and who took it.
    admin.goto(case_url.format(case_id))
    close(admin, case_id)
    case = case_of(admin, case_id)
    expect(case.locator(".chip.light-chip")).to_have_count(0)
    expect(case.locator("#case-actions")).not_to_contain_text("结案")
    timeline = case.locator("section", has=admin.get_by_role("heading", name="办理过程"))
    steps = timeline.locator("ol.timeline > li").evaluate_all(
        """items => items.map(li => [li.querySelector('strong').innerText.trim(),
                                     li.querySelector('.muted').innerText.split(' · ').pop().trim(),
                                     li.innerText])""")
    steps.reverse()  # newest first on the page
    assert [(what, who) for what, who, _ in steps] == [
        ("已登记", CLERK),
        ("研判", CLERK),
        ("开始调处", ADMIN),
        ("记录了调解", MEDIATOR),
        ("达成协议", MEDIATOR),
        ("回访", OFFICER),
        ("记录了回访", OFFICER),
        ("记录了回访", OFFICER),
        ("结案", ADMIN),
    ], steps
    moves = [text for what, _, text in steps if "→" in text]
    for before, after, text in zip(["已登记", "已研判", "调解中", "调解成功", "回访中"],
                                   ["已研判", "调解中", "调解成功", "回访中", "已结案"], moves):
        assert f"{before} → {after}" in text, moves
    assert len(moves) == 5, moves


# -- a mistake on the phone -------------------------------------------------------------------


def test_an_assessment_without_difficulty_shows_the_error_in_place_and_keeps_the_choices(phone, base_url):
    sign_in(phone, base_url, "mangbang.clerk")
    case_id = register(phone, title="赵营村灌溉用水纠纷")
    form = open_action(phone, case_id, "研判")
    form.get_by_role("group", name="风险等级").get_by_role("radio", name="可激化", exact=True).check()
    form.get_by_label("重点地区", exact=True).fill("赵营村")

    with phone.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/do/assess")) as answer:
        form.get_by_role("button", name="研判", exact=True).tap()
    assert answer.value.status == 422

    difficulty = case_of(phone, case_id).locator("#field-difficulty")
    error = difficulty.locator("p.error")
    expect(error).to_have_text("请选择难易程度。")
    _in_sight(phone, error)  # the tap was at the foot of a long form
    assert phone.evaluate("window.__samePage") is True, "the error came as a new page, not in place"
    assert CASE_PATH.search(phone.url), phone.url
    expect(state_of(phone, case_id)).to_have_text("已登记")
    # Beside the field: right below the choices it is about, and tied to them for screen readers.
    choices = difficulty.get_by_role("group", name="难易程度")
    assert choices.get_attribute("aria-describedby") == error.get_attribute("id")
    choices_box, error_box = choices.bounding_box(), error.bounding_box()
    assert 0 <= error_box["y"] - (choices_box["y"] + choices_box["height"]) <= 16, (choices_box, error_box)
    # What was chosen and typed is still there; only the difficulty is missing.
    form = case_of(phone, case_id).locator("#case-actions form")
    expect(form.get_by_role("radio", name="可激化", exact=True)).to_be_checked()
    expect(form.get_by_label("重点地区", exact=True)).to_have_value("赵营村")
    expect(choices.get_by_role("radio", checked=True)).to_have_count(0)
    expect(form.locator("p.error")).to_have_count(1)

    # Choosing the difficulty is then all it takes.
    choices.get_by_role("radio", name="复杂", exact=True).check()
    submit(phone, case_id, form, "研判", "已研判")
    expect(case_of(phone, case_id).locator(".case-head .chips")).to_contain_text("可激化")


def test_registering_without_a_title_marks_the_field_and_keeps_the_rest(phone, base_url):
    sign_in(phone, base_url, "mangbang.clerk")
    phone.goto(f"{base_url}/t/mangbang/cases/new")
    form = phone.locator("main form")
    form.get_by_label("来源", exact=True).select_option(label="来电")
    form.get_by_label("申请人姓名", exact=True).fill(APPLICANT)
    form.get_by_label("申请人电话", exact=True).fill(APPLICANT_PHONE)
    with phone.expect_navigation() as navigation:
        form.get_by_role("button", name="登记", exact=True).tap()
    assert navigation.value.status == 422

    title = form.get_by_label("标题", exact=True)
    error = phone.locator("#field-title p.error")
    expect(error).to_have_text("请为纠纷填写简短标题。")
    _in_sight(phone, error)
    assert title.get_attribute("aria-invalid") == "true"
    assert title.get_attribute("aria-describedby") == error.get_attribute("id")
    # Marked in red like the message, not left grey like the fields that are fine.
    red = error.evaluate("e => getComputedStyle(e).color")
    assert title.evaluate("e => getComputedStyle(e).borderTopColor") == red
    assert form.get_by_label("申请人姓名", exact=True).evaluate("e => getComputedStyle(e).borderTopColor") != red
    expect(form.get_by_label("来源", exact=True)).to_have_value("call")
    expect(form.get_by_label("申请人姓名", exact=True)).to_have_value(APPLICANT)
    expect(form.get_by_label("申请人电话", exact=True)).to_have_value(APPLICANT_PHONE)


def test_an_action_someone_else_took_meanwhile_is_refused_in_view(phone, phone_as, base_url):
    # The clerk has the assessment form open on her phone while the director assesses the
    # case on his; her form is stale by the time she taps.
    sign_in(phone, base_url, "mangbang.clerk")
    case_id = register(phone, title="大蒿坪村林地承包纠纷")
    form = open_action(phone, case_id, "研判")
    form.get_by_role("group", name="难易程度").get_by_role("radio", name="重大", exact=True).check()
    form.get_by_role("group", name="风险等级").get_by_role("radio", name="可化解", exact=True).check()

    admin = phone_as("mangbang.admin")
    admin.goto(f"{base_url}/t/mangbang/cases/{case_id}")
    assess(admin, case_id)

    with phone.expect_response(lambda r: r.request.method == "POST" and r.url.endswith("/do/assess")) as answer:
        form.get_by_role("button", name="研判", exact=True).tap()
    assert answer.value.status == 409
    # Her form carried the case as she saw it: she is told who changed it meanwhile, as on the board.
    _message_in_view(phone, re.compile("芒棒镇调处中心主任刚刚修改了案件"))
    expect(state_of(phone, case_id)).to_have_text("已研判")
    _in_sight(phone, state_of(phone, case_id))
    expect(case_of(phone, case_id).locator(".case-head .chips")).to_contain_text("一般")  # the director's
    assert phone.evaluate("window.__samePage") is True, "the refusal came as a new page, not in place"


# -- no sideways scrolling along the way ----------------------------------------------------


def test_the_flow_never_scrolls_sideways_on_a_phone(phone, phone_as, base_url):
    problems, looked = [], []

    def look(page, where):
        looked.append(where)
        overflow = _overflow(page)
        if overflow:
            problems.append(f"{where}: {overflow}")

    case_url = f"{base_url}/t/mangbang/cases/{{}}"
    sign_in(phone, base_url, "mangbang.clerk")
    # A long title, as clerks write them, must wrap rather than push the page wider.
    case_id = register(phone, look, title="芒棒社区第一村民小组张某某与李某某因相邻通道及排水沟占用引发的相邻关系纠纷")
    assess(phone, case_id, look)
    number = case_of(phone, case_id).locator(".case-number").inner_text()

    admin = phone_as("mangbang.admin")
    find_and_open(admin, number, case_id, look)
    start_mediation(admin, case_id, look)

    mediator = phone_as("mangbang.mediator")
    mediator.goto(case_url.format(case_id))
    record_session(mediator, case_id, look)
    resolve(mediator, case_id, look)

    officer = phone_as("mangbang.officer")
    officer.goto(case_url.format(case_id))
    follow_up(officer, case_id, look)
    follow_up(officer, case_id, look)

    admin.goto(case_url.format(case_id))
    close(admin, case_id, look)
    # The closed case as a full page, too (the steps above saw it as swapped-in parts).
    admin.reload()
    look(admin, "closed case, reloaded")

    assert not problems, "\n".join(problems)
    assert len(looked) >= 18, looked
