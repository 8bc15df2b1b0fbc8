"""A-class customers first (seed 000, 客户分类管理: "应优先处理a类客户的埋怨和投诉"): their
complaints and repairs lead every queue and are marked, and follow a change of grade."""
import datetime

from bs4 import BeautifulSoup

from blueprints.complaints import service as complaints
from blueprints.repairs import service as repairs
from models import Complaint, RepairRequest, WorkOrder
from services.customers import requeue
from tests.conftest import FROZEN


def first_cells(response):
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return [row.select_one("td").get_text(" ", strip=True) for row in page.select("tbody tr")]


def test_a_class_complaints_and_repairs_lead_every_queue(login, users, make_customer, database):
    vip, plain = make_customer(name="甲级客户", grade="A"), make_customer(name="普通客户")
    made = []
    for customer in (plain, vip, plain):  # the A-class one is neither newest nor oldest
        complaint = Complaint(received_at=FROZEN - datetime.timedelta(days=20),
                              complainant=customer.name, content="漏水", category="服务质量",
                              customer=customer)
        made.append(complaints.intake(complaint, users["desk"]))
        repairs.register_request(RepairRequest(received_at=FROZEN, customer=customer,
                                               location="3栋", content="灯不亮"), users["desk"])
    assert [c.priority for c in made] == [0, 1, 0]
    manager = login("manager")
    for view in ("open", "all", "overdue"):
        cells = first_cells(manager.get(f"/complaints/?view={view}"))
        assert cells[0].startswith(made[1].serial) and "A 类客户" in cells[0], (view, cells)
        assert not any("A 类客户" in cell for cell in cells[1:]), view
    orders = first_cells(manager.get("/repairs/?view=all"))
    vip_order = WorkOrder.select().join(RepairRequest).where(
        RepairRequest.customer == vip.id).get()
    assert orders[0].startswith(vip_order.serial) and "A 类客户" in orders[0]

    vip.grade = "B"
    vip.save()
    requeue(vip)
    assert Complaint.get_by_id(made[1].id).priority == 0
    cells = first_cells(manager.get("/complaints/?view=all"))
    assert cells[0].startswith(made[2].serial) and not any("A 类客户" in c for c in cells)
    plain.grade = "A"
    plain.save()
    requeue(plain)
    assert RepairRequest.select().where(RepairRequest.priority == 1).count() == 2
