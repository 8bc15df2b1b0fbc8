"""Issue 25's flows on the tablet (1024×768): a 成品退货单 from a closed complaint, approved,
signed for beyond the ratio and settled by a manager's instruction; and a walk-in filed as a
prospect from the sales floor, then found in the 潜在经销商名录."""
import pytest

from blueprints.complaints import outcomes
from blueprints.complaints import service as complaints
from models import Complaint, Customer, RotationTurn, clock
from models.complaints import CLOSED
from models.reception import WALK_IN
from models.registers import GoodsReturnNote
from tests.browser import new_page, serious_violations, settled, sign_in

pytestmark = pytest.mark.browser


def test_a_return_note_from_approval_to_booking(live, chromium, page, users, database):
    buyer = Customer.create(name="华润便利店", phone="13900000001", kind="company",
                            name_initials="hrbld", name_pinyin="huarunbianlidian")
    Customer.get_by_id(buyer.id).save()
    complaint = complaints.intake(Complaint(received_at=clock.now(), complainant="华润便利店",
                                            customer=buyer, content="筒灯光衰",
                                            category="产品质量"), users["desk"])
    Complaint.update(state=CLOSED, closed_at=clock.now()).where(
        Complaint.id == complaint.id).execute()
    outcomes.set_outcome(Complaint.get_by_id(complaint.id), users["manager"], return_qty=20)

    sign_in(page, live.url, "sales")
    page.goto(live.url + "/registers/return-notes/new")
    page.fill("#complaint_serial", complaint.serial)
    page.fill("#customer_q", "hrbld")
    page.locator("#pick-customer label", has_text="华润便利店").click()
    page.fill("#item", "LED 筒灯 6W")
    page.fill("#approved_qty", "25")
    page.select_option("#handling", "return")
    page.fill("#reason", "批次光衰超标")
    assert serious_violations(page) == []
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=核定退货量须与投诉核决的数量 20 一致")
    assert GoodsReturnNote.select().count() == 0
    page.fill("#approved_qty", "20")
    page.click("button:has-text('保存')")
    page.wait_for_selector("text=CT-202611-0001")
    page.wait_for_selector("text=待经理批示")
    address = page.url

    manager = new_page(chromium)
    sign_in(manager, live.url, "manager")
    manager.goto(address)
    manager.click("button:has-text('经（副）理批示')")
    manager.wait_for_selector("text=待仓储签收")

    desk = new_page(chromium)
    sign_in(desk, live.url, "desk")
    desk.goto(address)
    desk.fill("#actual_qty", "23")
    desk.click("button:has-text('仓储签收')")
    desk.wait_for_selector("text=实退量超出允收比率，待请示")
    assert serious_violations(desk) == []

    manager.goto(address)
    manager.fill("#booked_qty", "20")
    manager.click("button:has-text('请示核定转帐数量')")
    manager.wait_for_selector("text=待取得退货证明")
    note = GoodsReturnNote.get()
    assert (note.actual_qty, note.booked_qty) == (23, 20)


def test_a_walk_in_is_filed_as_a_prospect(live, page, users, database):
    at = clock.now()
    RotationTurn.create(day=at.date(), at=at, user=users["sales"], kind=WALK_IN,
                        consumes_turn=True, visitor_name="赵先生")
    sign_in(page, live.url, "sales")
    page.goto(live.url + "/reception/rotation")
    page.click("a:has-text('建立潜在客户档案')")
    page.wait_for_url("**/archives/new?turn=*")
    settled(page)
    assert page.input_value("#name") == "赵先生"
    page.select_option("#kind", "dealer")
    page.fill("#phone", "13900001111")
    page.select_option("#tier", "key")
    assert serious_violations(page) == []
    page.click("form.stack button[type=submit]")
    page.wait_for_selector("h1:has-text('赵先生')")
    assert RotationTurn.get().customer_id == Customer.get(Customer.phone == "13900001111").id
    page.goto(live.url + "/archives/prospects")
    page.wait_for_selector("td a:has-text('赵先生')")
    page.goto(live.url + "/archives/contact-duties")
    page.wait_for_selector("section:has-text('重要潜在客户至少拜访一次') >> text=赵先生")
    assert serious_violations(page) == []
