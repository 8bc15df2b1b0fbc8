"""Issue 26's journey: a visitor registers on their phone (390×844) from the desk's QR code,
the desk confirms on the tablet (1024×768), prints the 58 mm pass and signs the visitor out by
the pass's number; the poster prints."""
import io

import pytest
from pypdf import PdfReader

from models import Visit, VisitRequest
from tests.browser import new_page, serious_violations, settled, sign_in

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


def test_register_by_qr_confirm_print_and_sign_out(live, chromium, page, users, database):
    sign_in(page, live.url, "desk")
    page.goto(live.url + "/reception/self/qr")
    address = page.locator("p.muted").first.inner_text()
    assert address.endswith("/v/")
    poster = page.request.get(live.url + "/reception/self/poster")
    text = PdfReader(io.BytesIO(poster.body())).pages[0].extract_text()
    assert "访客自助登记" in text and address in text.replace("\n", "")

    checked = new_page(chromium, viewport=PHONE)
    checked.goto(address)
    assert checked.evaluate("document.documentElement.scrollWidth") <= 390  # no sideways scroll
    assert serious_violations(checked) == []
    phone = new_page(chromium, viewport=PHONE, java_script_enabled=False)  # works without
    phone.goto(address)
    phone.fill("#name", "赵访客")
    phone.fill("#phone", "139 1234 5678")
    phone.fill("#visitee", "3栋1201 王先生")
    phone.fill("#purpose", "送文件")
    phone.click("button[type=submit]")
    phone.wait_for_selector("text=须同意个人信息处理说明后方可登记")
    assert VisitRequest.select().count() == 0
    phone.check("#consent")
    phone.click("button[type=submit]")
    phone.wait_for_selector(".desk-no")
    desk_no = phone.inner_text(".desk-no").strip()
    assert desk_no == VisitRequest.get().desk_no

    page.goto(live.url + "/reception/self/")
    settled(page)
    row = page.locator("tbody tr", has_text=desk_no)
    assert "139****5678" in row.inner_text()
    assert serious_violations(page) == []
    row.locator("button:has-text('已核验证件，确认')").click()
    page.wait_for_selector("text=打印 58 mm 小票")
    visit = Visit.get()
    href = page.get_attribute("a:has-text('打印 58 mm 小票')", "href")
    receipt = PdfReader(io.BytesIO(page.request.get(live.url + href).body()))
    assert abs(float(receipt.pages[0].mediabox.width) - 164.4) < 1
    assert visit.serial in receipt.pages[0].extract_text()
    assert serious_violations(page) == []

    page.goto(live.url + "/reception/scan")
    page.fill("#code", visit.serial)
    page.click("#scan-form button[type=submit]")
    page.wait_for_selector(f"text=已签离 {visit.serial} 赵访客")
    assert Visit.get().left_at is not None
    assert serious_violations(page) == []
    assert page.csp_errors == []

    phone.reload()
    phone.wait_for_selector("text=前台已确认")
