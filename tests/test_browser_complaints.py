"""A complaint on the tablet: taken at the desk, moved to closure by the right roles, printed."""
import io

import pytest
from pypdf import PdfReader

from models import Complaint
from tests.browser import new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser


def tab(browser, live, username):
    page = new_page(browser)
    sign_in(page, live.url, username)
    return page


def take_step(page, live, complaint_id, summary, fields):
    page.goto(f"{live.url}/complaints/{complaint_id}")
    details = page.locator("#next-step details", has=page.locator(f"summary:text-is('{summary}')"))
    if not details.evaluate("d => d.open"):
        details.locator("summary").click()
    for selector, value in fields.items():
        if selector.startswith("select:"):
            details.locator(selector[7:]).select_option(value)
        else:
            details.locator(selector).fill(value)
    details.locator("button[type=submit]").click()
    page.wait_for_selector(f"text=已完成：{summary}")


def test_complaint_to_closure(live, chromium, database):
    browser = chromium
    desk = tab(browser, live, "desk")
    desk.click("nav.modules >> text=投诉")
    desk.wait_for_url(live.url + "/complaints/")
    desk.click(".subnav >> text=受理投诉")
    desk.wait_for_url(live.url + "/complaints/new")
    desk.check("#check_heard")
    desk.check("#check_asked")
    desk.fill("#complainant", "张三")
    desk.fill("#phone", "13800001111")
    desk.select_option("#category", "服务质量")
    desk.fill("#content", "保洁员态度差")
    assert serious_violations(desk) == []
    desk.click("button:has-text('受理')")
    desk.wait_for_selector("text=由您负责跟进")
    complaint = Complaint.get()
    assert serious_violations(desk) == []

    manager = tab(browser, live, "manager")
    take_step(manager, live, complaint.id, "判定",
              {"#classify-nature": "服务态度", "select:#classify-dept": "客服部",
               "select:#classify-cause": "non_quality"})
    take_step(desk, live, complaint.id, "调查",
              {"#inv-cause": "新员工未培训", "#inv-party": "保洁班组", "#inv-solution": "道歉并培训",
               "#inv-amount": "30000"})
    gm = tab(browser, live, "gm")
    take_step(gm, live, complaint.id, "核决", {"#approval-approve": "同意"})
    take_step(desk, live, complaint.id, "答复客户",
              {"select:#reply-method": "phone", "#reply-note": "已致电道歉"})
    take_step(desk, live, complaint.id, "回访", {"select:#followup-satisfaction": "5"})
    take_step(manager, live, complaint.id, "结案",
              {"#close-summary": "客户满意", "#close-action": "新员工上岗培训"})
    assert Complaint.get_by_id(complaint.id).state == "closed"
    assert serious_violations(manager) == []

    href = desk.get_attribute("text=打印客户投诉处理表", "href")
    pdf = desk.request.get(live.url + href)
    reader = PdfReader(io.BytesIO(pdf.body()))
    assert len(reader.pages) == 5
    assert "保洁员态度差" in reader.pages[0].extract_text()


def test_folded_actions_show_that_they_open(live, chromium, users, database):
    """Issue 22: 告知客户处理进度, 现场处理 and the like were plain text until clicked. Each folded
    action has a chevron that turns when it opens, in the link colour."""
    from blueprints.complaints import service
    from models import clock
    complaint = service.intake(Complaint(received_at=clock.now(), channel="phone",
                                         complainant="张三", category="产品质量",
                                         content="漏水"), users["desk"])
    page = tab(chromium, live, "desk")
    page.goto(f"{live.url}/complaints/{complaint.id}")
    summary = page.locator("summary:has-text('告知客户处理进度')")

    def chevron():
        return summary.evaluate("s => [getComputedStyle(s, '::before').content,"
                                " getComputedStyle(s, '::before').transform,"
                                " getComputedStyle(s).color]")
    content, closed, colour = chevron()
    assert content == '"▸"' and closed == "none" and colour == "rgb(11, 92, 173)"
    summary.click()
    page.wait_for_function("s => getComputedStyle(s, '::before').transform !== 'none'",
                           arg=summary.element_handle())  # turned (after its transition)
    # Its fields arrive when it opens (htmx), and the form works as if it had been there.
    page.locator("#progress-note").wait_for(state="visible")
    page.fill("#progress-note", "已联系维修班组，明早上门")
    page.locator("form[action$='/progress'] button[type=submit]").click()
    page.wait_for_selector(".flash.success")
    from models import ComplaintProgress
    assert [p.note for p in ComplaintProgress.select()] == ["已联系维修班组，明早上门"]
