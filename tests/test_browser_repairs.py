"""An engineer in a corridor with a phone: acknowledge, record items, the customer signs, print."""
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from blueprints.repairs import service
from models import RepairRequest, ServiceItem, WorkOrder
from services import settings as settings_service
from tests.browser import PHONE, draw_signature, new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser


@pytest.fixture
def phone(chromium):
    """A phone-sized page (390×844)."""
    return new_page(chromium, viewport=PHONE, is_mobile=True, device_scale_factor=2)


def test_engineer_signs_off_on_a_phone(live, phone, users, database):
    tap = ServiceItem.create(name="更换水龙头", fee=Decimal("50.00"), labour_minutes=30)
    order = service.register_request(RepairRequest(location="3栋2单元1201", content="水龙头漏水",
                                                   item=tap), users["desk"])
    service.step(order, "dispatch", users["desk"], settings_service.load(),
                 engineer=users["engineer"])

    sign_in(phone, live.url, "engineer")
    phone.goto(live.url + "/repairs/")
    phone.click(f"text={order.serial}")
    phone.wait_for_url(f"{live.url}/repairs/{order.id}")
    assert serious_violations(phone) == []
    phone.click("button:has-text('接单')")
    phone.wait_for_selector("text=已完成：接单")
    phone.click("button:has-text('开始维修')")
    phone.wait_for_selector("text=已完成：开始维修")
    phone.select_option("#service_item", str(tap.id))
    phone.fill("#item-quantity", "2")
    phone.click("button:has-text('登记项目')")
    phone.wait_for_selector("text=合计 ¥100.00")
    phone.click("button:has-text('完工待验收')")
    phone.wait_for_selector("canvas[data-signature]")
    assert serious_violations(phone) == []

    draw_signature(phone)
    assert phone.input_value("input[name=signature]").startswith("data:image/png;base64,")
    phone.click("button:has-text('验收签字')")
    phone.wait_for_selector("img[alt='客户签名']")  # the signed order (not its 待客户验收签字)
    stored = WorkOrder.get_by_id(order.id)
    assert stored.state == "completed" and bytes(stored.signature).startswith(b"\x89PNG")

    href = phone.get_attribute("text=打印工程修理单", "href")
    pdf = phone.request.get(live.url + href)
    reader = PdfReader(io.BytesIO(pdf.body()))
    assert any(page.images for page in reader.pages)
    assert "更换水龙头" in reader.pages[0].extract_text()
