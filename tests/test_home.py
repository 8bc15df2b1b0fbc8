"""Home pages per role: each counter matches the fixture data and links to its list."""
import datetime

from bs4 import BeautifulSoup

from blueprints.complaints import service as complaints
from blueprints.repairs import service as repairs
from models import Complaint, Handover, RepairRequest, Visit
from services import settings as settings_service


def tiles(response):
    page = BeautifulSoup(response.get_data(as_text=True), "html.parser")
    return {t.span.text: (int(t.div.text), t["href"]) for t in page.select(".home-panel .tile")}


def test_home_counters_per_role(login, users, database):
    now = datetime.datetime.now().replace(microsecond=0)
    Visit.create(serial="FK-1", name="访客", arrived_at=now)
    Visit.create(serial="FK-2", name="已离开", arrived_at=now, left_at=now)
    for content in ("甲", "乙"):
        order = repairs.register_request(RepairRequest(location="3栋", content=content),
                                         users["desk"])
        repairs.step(order, "dispatch", users["desk"], settings_service.load(),
                     engineer=users["engineer"] if content == "甲" else None)
    late = complaints.intake(Complaint(received_at=now - datetime.timedelta(days=20),
                                       complainant="张三", content="x", category="服务质量"),
                             users["desk"])
    complaints.intake(Complaint(complainant="李四", content="y", category="服务质量",
                                severity="major"), users["desk"])

    desk = tiles(login("desk").get("/"))
    assert desk["仍在场内的访客"] == (1, "/reception/?state=inside")
    assert desk["我负责的投诉"][0] == 2
    engineer = tiles(login("engineer").get("/"))
    assert engineer["我的工单"] == (1, "/repairs/?view=mine")
    assert engineer["待接单队列"] == (1, "/repairs/?view=queue")
    manager = tiles(login("manager").get("/"))
    assert manager["逾期投诉"] == (1, "/complaints/?view=overdue")
    gm = tiles(login("gm").get("/"))
    assert gm["处理中的重大投诉"][0] == 1 and gm["待我审批的投诉"][0] == 0
    assert tiles(login("admin").get("/")) == {}
    assert late.serial


def test_unacknowledged_handover_shown_at_login(login, users, database):
    Handover.create(shift="night", author=users["manager"], items="电梯异响")
    page = login("desk").get("/").get_data(as_text=True)
    assert "1 份交接记录待确认" in page and "电梯异响" in page
