"""Repair routes: request, dispatch to signature from the tablet, invalid input, prints."""
import base64
import datetime
import io
from decimal import Decimal

import pytest
from bs4 import BeautifulSoup
from PIL import Image
from pypdf import PdfReader

from models import RepairRequest, ServiceItem, WorkOrder, WorkOrderMaterial
from services import reports
from tests.conftest import FROZEN  # noqa: E402

NOW = FROZEN


def soup(response):
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def signature():
    buffer = io.BytesIO()
    Image.new("RGB", (200, 60), "white").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


def new_request(browser, item, **overrides):
    data = {"received_at": NOW.strftime("%Y-%m-%dT%H:%M"), "contact_name": "张三",
            "contact_phone": "13800001111", "location": "3栋2单元1201", "area": "unit",
            "item": str(item.id) if item else "", "content": "厨房水龙头漏水", "channel": "phone"}
    data.update(overrides)
    return browser.submit("/repairs/new", data)


def step(browser, order, action, **data):
    return browser.submit(f"/repairs/{order.id}/step/{action}", data, page=f"/repairs/{order.id}")


def test_request_to_signature(login, users, database):
    tap = ServiceItem.create(name="更换水龙头", fee=Decimal("50.00"), labour_minutes=30)
    desk, engineer = login("desk"), login("engineer")
    response = new_request(desk, tap)
    order = WorkOrder.get()
    assert response.location == f"/repairs/{order.id}" and order.serial.startswith("WX-")
    step(desk, order, "dispatch", engineer=str(users["engineer"].id))
    mine = soup(engineer.get("/repairs/"))  # an engineer's list opens on their own jobs
    assert [a.text for a in mine.select("tbody td:first-child a")] == [order.serial]
    step(engineer, order, "acknowledge")
    step(engineer, order, "start")
    engineer.submit(f"/repairs/{order.id}/items", {"service_item": str(tap.id), "quantity": "2"},
                    page=f"/repairs/{order.id}")
    engineer.submit(f"/repairs/{order.id}/materials", {
        "name": "水龙头", "quantity": "1", "unit": "个", "supplied_by_customer": "y",
        "check": "qualified", "note": "客户自购"}, page=f"/repairs/{order.id}")
    step(engineer, order, "complete")
    bad = step(engineer, order, "sign", signature="data:image/gif;base64,R0lGODlh")
    assert bad.status_code == 422 and "PNG" in bad.get_data(as_text=True)
    step(engineer, order, "sign", signature=signature())
    stored = WorkOrder.get_by_id(order.id)
    assert stored.state == "completed" and stored.fee_total == Decimal("100.00")
    assert WorkOrderMaterial.get().check == "qualified"
    image = engineer.get(f"/repairs/{order.id}/signature.png")
    assert image.headers["Content-Type"] == "image/png" and image.data.startswith(b"\x89PNG")
    pdf = engineer.get(f"/repairs/{order.id}/print")
    reader = PdfReader(io.BytesIO(pdf.data))
    text = "".join(p.extract_text() for p in reader.pages).replace(" ", "")
    assert "工程修理单" in text and "更换水龙头" in text and "100.00" in text and "合格" in text
    images = [i for p in reader.pages for i in p.images]
    assert images, "the captured signature is printed on the order"


def test_invalid_request_is_not_saved(login, database):
    desk = login("desk")
    response = new_request(desk, None, contact_phone="", location="", content="", area="public")
    assert response.status_code == 422
    page = soup(response)
    assert "请填写联系电话" in page.find(id="contact_phone-errors").text
    assert "请填写维修地点" in page.find(id="location-errors").text
    assert "公共区域报修须填写预约时间" in page.find(id="preferred_at-errors").text
    assert RepairRequest.select().count() == 0 and WorkOrder.select().count() == 0


def test_refused_step_is_explained(login, users, database):
    desk = login("desk")
    new_request(desk, None)
    order = WorkOrder.get()
    refused = step(login("engineer"), order, "complete")
    assert refused.status_code == 422 and "不能完工待验收" in refused.get_data(as_text=True)


def completed_order(desk, engineer, item):
    """A work order for `item` taken from the request to the customer's signature on paper."""
    new_request(desk, item)
    order = WorkOrder.select().order_by(WorkOrder.id.desc()).get()
    step(desk, order, "dispatch")
    for action in ("acknowledge", "start"):
        step(engineer, order, action)
    engineer.submit(f"/repairs/{order.id}/items", {"service_item": str(item.id), "quantity": "1"},
                    page=f"/repairs/{order.id}")
    step(engineer, order, "complete")
    step(desk, order, "sign", on_paper="y")
    assert WorkOrder.get_by_id(order.id).state == "completed"
    return order


def test_repeat_flag_on_creation(login, users, database):
    tap = ServiceItem.create(name="更换水龙头", fee=Decimal("50.00"))
    desk = login("desk")
    completed_order(desk, login("engineer"), tap)
    again = new_request(desk, tap, location="3-2-1201")
    follow = desk.get(again.location).get_data(as_text=True)
    assert "返修" in follow


def test_service_items_managed_in_settings(login, database):
    admin = login("admin")
    bad = admin.submit("/admin/service-items", {"name": "", "fee": "-1", "labour_minutes": ""})
    assert bad.status_code == 422 and ServiceItem.select().count() == 0
    admin.submit("/admin/service-items", {"name": "疏通下水道", "fee": "80", "labour_minutes": "45",
                                          "active": "y"})
    item = ServiceItem.get()
    admin.submit(f"/admin/service-items/{item.id}", {"name": "疏通下水道", "fee": "90",
                                                     "labour_minutes": "45"})
    item = ServiceItem.get_by_id(item.id)
    assert item.fee == Decimal("90.00") and not item.active
    assert login("desk").get("/admin/service-items").status_code == 403


def test_daily_register_pdf(login, database):
    desk = login("desk")
    new_request(desk, None, location="5栋大堂", area="public",
                preferred_at=(NOW + datetime.timedelta(hours=2)).strftime("%Y-%m-%dT%H:%M"))
    pdf = desk.get(f"/repairs/print?day={NOW.date()}")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert "报修登记表" in text.replace(" ", "") and "5栋大堂" in text


def test_engineers_do_not_see_vip_or_archives(login):
    engineer = login("engineer")
    assert engineer.get("/archives/").status_code == 403
    assert engineer.get("/repairs/").status_code == 200


def test_list_and_daily_register_keep_to_their_day(login, database):
    """A request received the day before is neither on the day's list nor on its register."""
    desk = login("desk")
    day_before = NOW - datetime.timedelta(days=1)
    new_request(desk, None, location="5栋大堂")
    new_request(desk, None, location="9栋车库", received_at=day_before.strftime("%Y-%m-%dT%H:%M"))
    for day, here, elsewhere in ((NOW.date(), "5栋大堂", "9栋车库"),
                                 (day_before.date(), "9栋车库", "5栋大堂")):
        listed = desk.get(f"/repairs/?view=all&day={day}").get_data(as_text=True)
        assert here in listed and elsewhere not in listed, day
        pdf = desk.get(f"/repairs/print?day={day}")
        text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
        assert here in text and elsewhere not in text, day


def test_customer_supplied_material_needs_its_verdict(login, users, database):
    """Seed 000 客户报修管理制度 四.7: the repairer verifies customer-supplied material as 合格 or
    不合格 and notes it. Refused without a verdict, and 不合格 without a note; nothing saved."""
    desk, engineer = login("desk"), login("engineer")
    new_request(desk, None)
    order = WorkOrder.get()
    step(desk, order, "dispatch", engineer=str(users["engineer"].id))
    step(engineer, order, "acknowledge")
    step(engineer, order, "start")
    url, page = f"/repairs/{order.id}/materials", f"/repairs/{order.id}"
    material = {"name": "水管", "quantity": "2", "unit": "米", "supplied_by_customer": "y"}
    no_verdict = engineer.submit(url, dict(material, check=""), page=page)
    assert no_verdict.status_code == 422 and "须检验合格或不合格" in no_verdict.get_data(
        as_text=True)
    no_note = engineer.submit(url, dict(material, check="unqualified", note=""), page=page)
    assert no_note.status_code == 422 and "写明原因" in no_note.get_data(as_text=True)
    assert WorkOrderMaterial.select().count() == 0
    engineer.submit(url, dict(material, check="unqualified", note="管径不符"), page=page)
    engineer.submit(url, {"name": "胶带", "quantity": "1", "check": ""}, page=page)  # ours
    stored = {m.name: (m.supplied_by_customer, m.check, m.note)
              for m in WorkOrderMaterial.select()}
    assert stored == {"水管": (True, "unqualified", "管径不符"), "胶带": (False, "", "")}
    from blueprints.repairs import service
    with pytest.raises(service.RepairError):
        service.add_material(order, users["engineer"], "阀门", 1, supplied_by_customer=True)
    # A cancelled order takes no more material: the form is gone and a crafted one refused.
    assert f'action="{url}"' in engineer.get(page).get_data(as_text=True)
    step(desk, order, "cancel", reason="业主取消")
    assert WorkOrder.get_by_id(order.id).finished
    assert f'action="{url}"' not in engineer.get(page).get_data(as_text=True)
    late = engineer.submit(url, {"name": "螺丝", "quantity": "1", "check": ""}, page=page)
    assert late.status_code == 422 and "工单已结束" in late.get_data(as_text=True)
    assert WorkOrderMaterial.select().count() == 2


def test_long_waits_read_in_days_and_hours(login, users, database):
    """Issue 22: a job waiting 603 hours read '603 小时'."""
    from blueprints.repairs import service
    service.register_request(RepairRequest(
        received_at=NOW - datetime.timedelta(days=25, hours=3), location="3栋", content="漏水",
        contact_phone="13800001111"), users["desk"])
    order = WorkOrder.get()
    desk = login("desk")
    assert "25 天 3 小时" in desk.get("/repairs/?view=all").get_data(as_text=True)
    assert "25 天 3 小时" in desk.get(f"/repairs/{order.id}").get_data(as_text=True)


def test_everyone_sees_whose_turn_a_work_order_is(login, users, database):
    """Issue 22: the work order says what comes next and who does it, to a user who cannot take
    the step too; the review fields say that their text answers the customer."""
    desk, engineer, manager = login("desk"), login("engineer"), login("manager")
    new_request(desk, None)
    order = WorkOrder.get()

    def turn(browser):
        found = soup(browser.get(f"/repairs/{order.id}")).select_one("#next-step .turn")
        return found.get_text() if found else None
    assert turn(engineer) == "待前台派单"
    assert soup(engineer.get(f"/repairs/{order.id}")).select("#next-step form") == []
    step(desk, order, "dispatch", engineer=str(users["engineer"].id))
    name = users["engineer"].display_name
    assert turn(desk) == f"待工程人员 {name} 接单"
    step(engineer, order, "acknowledge")
    step(engineer, order, "submit_review")
    assert turn(desk) == "待经理评审"
    page = soup(manager.get(f"/repairs/{order.id}"))
    assert page.select_one("label[for=reason-approve]").get_text().startswith(
        "评审通过：给客户的答复")
    assert page.select_one("label[for=reason-decline]").get_text().startswith(
        "评审不通过：给客户的答复")


def test_the_list_names_each_engineer_in_one_reading(login, users, database):
    """Each row's engineer is read with the orders: six orders cost what one does."""
    from blueprints.repairs import service
    from tests.conftest import count_queries

    def add(engineer=None):
        service.register_request(RepairRequest(received_at=NOW, location="3栋", content="漏水",
                                               contact_phone="13800001111"), users["desk"])
        if engineer is not None:
            order = WorkOrder.select().order_by(WorkOrder.id.desc()).get()
            order.engineer = engineer
            order.save()

    desk = login("desk")

    def listed():
        with count_queries() as queries:
            page = soup(desk.get("/repairs/?view=all"))
        return [row.select("td")[4].get_text(strip=True) for row in page.select("tbody tr")], \
            queries.count

    add(users["engineer"])
    one, one_count = listed()
    for _ in range(4):
        add(users["engineer"])
    add()
    six, six_count = listed()
    name = users["engineer"].display_name
    assert one == [name]
    assert sorted(six) == sorted([name] * 5 + ["待接单"])
    assert six_count == one_count


def test_a_work_order_registered_by_mistake_is_voided_by_a_manager(login, users, database):
    """作废此工单: managers only, with a reason; the voided order leaves the list, keeps its
    page read-only with the reason, and no longer counts as an earlier repair (返修)."""
    tap = ServiceItem.create(name="更换水龙头", fee=Decimal("50.00"))
    desk, manager = login("desk"), login("manager")
    order = completed_order(desk, login("engineer"), tap)
    hours = reports.repair_hours_by_month(NOW.date(), 1)[1]
    assert hours != [None]
    page = f"/repairs/{order.id}"
    assert soup(desk.get(page)).find(id="void-reason") is None
    assert desk.submit(f"{page}/void", {"reason": "重复"}, page=page).status_code == 403
    form = soup(manager.get(page)).find(id="void-reason").find_parent("form")
    assert form["action"] == f"{page}/void" and form.find("input", {"name": "reason"}).has_attr(
        "required")
    manager.submit(f"{page}/void", {"reason": ""}, page=page)
    assert not WorkOrder.get_by_id(order.id).voided
    done = manager.submit(f"{page}/void", {"reason": "重复派单"}, page=page)
    assert done.status_code == 302 and done.location == "/repairs/"
    stored = WorkOrder.get_by_id(order.id)
    assert stored.voided and stored.void_reason == "重复派单" and stored.voided_by == users["manager"].id
    assert order.serial not in desk.get("/repairs/?view=all").get_data(as_text=True)
    shown = soup(manager.get(page))
    assert "已作废" in shown.find("h1").text and "作废原因：重复派单" in shown.text
    assert shown.find(id="next-step") is None and shown.find(id="void-reason") is None
    assert step(desk, order, "cancel", reason="x").status_code == 409
    again = new_request(desk, tap, location="3-2-1201")
    assert "返修" not in desk.get(again.location).get_data(as_text=True)
    assert reports.repair_hours_by_month(NOW.date(), 1)[1] == [None]  # (the mean left it)
