"""A manager uploads a contract, the customer is graded, and the access log shows the reading."""
import pytest

from models import Customer, Document
from tests.browser import new_page, serious_violations, sign_in

pytestmark = pytest.mark.browser


def test_upload_grade_and_access_log(live, chromium, database, make_customer):
    customer = make_customer(name="甲公司", kind="company")
    manager = new_page(chromium)
    sign_in(manager, live.url, "manager")
    manager.goto(f"{live.url}/archives/{customer.id}")
    manager.click("text=档案资料")
    manager.wait_for_url(f"{live.url}/archives/{customer.id}/documents")
    manager.select_option("#section", "credit")
    manager.fill("#title", "2026 年度合同")
    manager.set_input_files("#file", files=[{"name": "合同.pdf", "mimeType": "application/pdf",
                                             "buffer": b"%PDF-1.4\n%contract\n"}])
    assert serious_violations(manager) == []
    manager.click("button:has-text('上传')")
    manager.wait_for_selector("text=已上传")
    assert Document.get().section == "credit"
    manager.fill("#reason-credit", "核对合同条款")
    manager.locator("form:has(#reason-credit) button").click()
    manager.wait_for_selector("text=2026 年度合同")

    manager.goto(f"{live.url}/archives/{customer.id}/evaluate")
    manager.select_option("#tier", "key")
    manager.select_option("#grade", "A")
    manager.check("#provisional")
    manager.click("button:has-text('提交')")
    manager.wait_for_selector("text=已提交评级")
    manager.goto(f"{live.url}/archives/{customer.id}/evaluate")
    manager.click("button:has-text('审核通过')")
    manager.wait_for_selector("text=销售主管已审核")
    gm = new_page(chromium)
    sign_in(gm, live.url, "gm")
    gm.goto(f"{live.url}/archives/{customer.id}/evaluate")
    gm.click("button:has-text('批准')")
    gm.wait_for_selector("text=总经理已批准")
    assert (Customer.get_by_id(customer.id).tier, Customer.get_by_id(customer.id).grade) == (
        "key", "A")

    manager.goto(f"{live.url}/access-log")
    row = manager.locator("tbody tr", has_text="甲公司").first
    assert "查阅保密资料" in row.inner_text() and "核对合同条款" in row.inner_text()
    assert serious_violations(manager) == []
