"""The front desk on a tablet: log a visitor, sign them out, print the day's sheet."""
import io

import pytest
from pypdf import PdfReader

from models import Visit
from tests.browser import serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_log_visitor_sign_out_and_print(live, page, database, make_customer):
    make_customer(name="张三", building="3栋", room="1201", phone="13800000000")
    sign_in(page, live.url, "desk")
    page.click("nav.modules >> text=接待")
    page.wait_for_url(live.url + "/reception/")
    assert serious_violations(page) == []
    page.click("text=登记访客")
    page.wait_for_url(live.url + "/reception/visits/new")
    page.fill("#phone", "13911112222")
    page.fill("#name", "李四")
    page.fill("#purpose", "探亲")
    page.fill("#visitee", "1201")  # pick the resident from the suggestions
    page.click("#visitee-pick a:has-text('张三')")
    page.wait_for_selector("#visitee-pick input[name=visitee_customer]", state="attached")
    page.fill("#plate", "粤B12345")
    page.check("input[name=reception_class][value=B]")
    assert serious_violations(page) == []
    page.click("button:has-text('保存登记')")
    page.wait_for_url(live.url + "/reception/")
    visit = Visit.get(Visit.name == "李四")
    assert visit.visitee_customer.name == "张三" and visit.venue == "商务室"

    row = page.locator(f"#visit-{visit.id}")
    row.locator("button:has-text('签离')").click()  # one tap, the row updates in place
    page.wait_for_selector(f"#visit-{visit.id} button", state="detached")
    assert Visit.get_by_id(visit.id).left_at is not None

    href = page.get_attribute("text=打印访客登记表", "href")
    pdf = page.request.get(live.url + href)
    assert pdf.headers["content-type"] == "application/pdf"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.body())).pages)
    assert "李四" in text and visit.serial in text.replace(" ", "")


def test_reception_pages_are_accessible(live, page, database):
    sign_in(page, live.url, "manager")
    for path in ("/reception/rotation", "/reception/customer-visits", "/reception/followups",
                 "/reception/handovers", "/reception/handovers/new", "/reception/followups/new"):
        page.goto(live.url + path)
        assert serious_violations(page) == [], path
