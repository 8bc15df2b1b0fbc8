"""The first three registers on the tablet (1024×768): a parking permit for a let space, keys
handed out against a checked ID and brought back, a meter reading the customer signs."""
import io

import pytest
from pypdf import PdfReader

from models import Customer
from models.registers import KeyLoan, MeterReading, ParkingPermit
from tests.browser import draw_signature, new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser


def pick_customer(page, field, words, name):
    """Type into a customer field's search and choose the customer it finds."""
    page.fill(f"#{field}_q", words)
    page.locator(f"#pick-{field} label", has_text=name).click()


def test_parking_keys_and_meters_on_the_tablet(live, chromium, page, users, database):
    owner = Customer.create(name="王五", phone="13900000001", kind="resident", building="3",
                            room="1201", name_initials="ww", name_pinyin="wangwu")
    Customer.get_by_id(owner.id).save()  # (the search keys, as every write keeps them)
    sign_in(page, live.url, "desk")

    page.goto(live.url + "/registers/")
    page.click("text=停车位租售状况登记表")
    page.wait_for_url(live.url + "/registers/parking-deals/")
    page.get_by_role("link", name="登记", exact=True).click()
    page.wait_for_url(live.url + "/registers/parking-deals/new")
    page.fill("#space", "B2-018")
    page.select_option("#kind", "rent")
    pick_customer(page, "customer", "ww", "王五")
    page.fill("#starts_on", "2026-07-01")
    page.fill("#ends_on", "2027-06-30")
    page.fill("#price", "450")
    assert serious_violations(page) == []
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=已登记")

    page.goto(live.url + "/registers/parking-permits/new")
    page.fill("#space", "B2-018")
    page.fill("#plate", "粤b12345")
    pick_customer(page, "customer", "ww", "王五")
    page.fill("#valid_until", "2027-12-31")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=不能超过车位租期")  # the rule, beside its field
    assert ParkingPermit.select().count() == 0
    page.fill("#valid_until", "2027-06-30")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=TC-202611-0001")
    assert page.locator(".badge", has_text="有效").count() == 1
    page.click("a:has-text('王五')")
    page.wait_for_url(f"{live.url}/archives/{owner.id}")

    page.goto(live.url + "/registers/key-custody/new")
    pick_customer(page, "customer", "ww", "王五")
    page.fill("#keys", "入户门钥匙")
    page.fill("#authorised", "王五、张保洁")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".badge:has-text('在库')")
    page.click("a.btn:has-text('登记 · 代保管钥匙借用登记')")
    page.fill("#person", "张保洁")
    page.fill("#id_number", "440101199001011233")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=须核对领用人证件")
    page.check("#id_checked")
    page.click("button:has-text('保存')")
    page.wait_for_selector(".badge:has-text('借出中')")
    assert page.locator("text=440101199001011233").count() == 0  # masked
    page.click("button:has-text('登记归还')")
    page.wait_for_selector("text=已登记归还")
    assert KeyLoan.get().back_at is not None
    assert serious_violations(page) == []
    page = new_page(chromium)  # the engineer's tablet
    sign_in(page, live.url, "engineer")
    page.goto(live.url + "/registers/meter-readings/new")
    pick_customer(page, "customer", "1201", "王五")
    page.select_option("#meter", "power")
    page.fill("#meter_no", "E-1201")
    page.fill("#reading", "1520.5")
    page.click("button:has-text('保存')")
    page.wait_for_selector("canvas[data-signature]")
    draw_signature(page)
    page.click("button:has-text('客户签字确认')")
    page.wait_for_selector("text=客户已签字确认")
    reading = MeterReading.get()
    assert bytes(reading.signature).startswith(b"\x89PNG") and reading.signed_at is not None

    href = page.get_attribute("text=打印", "href")
    pdf = PdfReader(io.BytesIO(page.request.get(live.url + href).body()))
    text = pdf.pages[0].extract_text()
    assert "水、电表底数确认单" in text and "1520.50" in text and "E-1201" in text
    assert any(p.images for p in pdf.pages)
    assert page.csp_errors == []
