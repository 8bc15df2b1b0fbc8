"""Contact duties by rank, seed 001 第十四条（三）: 主管业务副总每个月最少一次和战略合作(伙伴)用户
电话沟通; 总经理…每个月最少一次有选择和战略合作(伙伴)用户电话沟通. 第十七条（三）: 战略合作用户…
现场回访每十二个月不少于1次; 关键用户: 各业务单位责任人每十二个月最少1次现场回访; 通常见户…分管业务
人员两年最少1次现场回访. Issue 25: every important prospect is visited at least once."""
import datetime

from bs4 import BeautifulSoup

from blueprints.archives import contact_duties
from blueprints.archives.ownership import log_contact
from models import CustomerVisit
from models.reception import DONE
from services import accounts
from services import settings as settings_service
from tests.conftest import FROZEN

D = datetime.datetime
TODAY = FROZEN.date()


def by_key(user):
    found = contact_duties.duties(user, settings_service.load(), TODAY)
    return {d.key: ({c.name for c in d.due}, {c.name for c in d.overdue}) for d in found}


def test_each_rank_owes_its_calls_and_visits(users, database, make_customer):
    deputy = accounts.create_user("vicegm", "副总", "manager", "secret-pass-7")
    settings_service.store({"complaint_deputy": "vicegm"})
    s1 = make_customer(name="战略甲", tier="strategic", status="cooperating")
    s2 = make_customer(name="战略乙", tier="strategic", status="cooperating")
    make_customer(name="流失战略", tier="strategic", status="lapsed")
    k1 = make_customer(name="重点丙", tier="key", status="cooperating")
    make_customer(name="一般老客", tier="general", status="cooperating", owner=users["sales"],
                  created_at=D(2023, 5, 1))
    make_customer(name="一般新客", tier="general", status="cooperating", owner=users["sales"],
                  created_at=D(2026, 9, 1))
    make_customer(name="潜在旧", tier="key", status="potential", owner=users["sales"],
                  created_at=D(2026, 10, 1))
    fresh = make_customer(name="潜在新", tier="strategic", status="potential",
                          owner=users["sales"], created_at=D(2026, 11, 18))

    # the deputy: every strategic customer called this month; 乙 was called last month
    log_contact(s1, deputy, "phone", "月度电话", at=D(2026, 11, 10, 9))
    log_contact(s2, deputy, "phone", "月度电话", at=D(2026, 10, 15, 9))
    log_contact(s2, users["sales"], "phone", "销售员的电话不算副总的", at=D(2026, 11, 12, 9))
    duties = by_key(deputy)
    assert duties["deputy-calls"] == ({"战略乙"}, set())
    assert duties["deputy-visits"] == ({"战略甲", "战略乙"}, {"战略甲", "战略乙"})

    # the GM: one strategic customer of their choosing a month
    gm = users["gm"]
    assert by_key(gm)["gm-calls"] == ({"战略甲", "战略乙"}, {"战略甲", "战略乙"})
    log_contact(s2, gm, "phone", "总经理致电", at=D(2026, 11, 20, 9))
    assert by_key(gm)["gm-calls"] == (set(), set())
    assert dict((d.key, d.count()) for d in contact_duties.duties(
        gm, settings_service.load(), TODAY))["gm-calls"] == 0

    # the managers: strategic and key on site once a year (a 拜访 done counts, as does a visit
    # logged; last year's visit keeps 重点丙 from being overdue)
    manager = users["manager"]
    CustomerVisit.create(customer=k1, staff=manager, planned_at=D(2026, 3, 1, 9),
                         visited_at=D(2026, 3, 1, 10), state=DONE)
    log_contact(s1, manager, "visit", "年度走访", at=D(2025, 6, 1, 9))
    duties = by_key(manager)
    assert duties["quota-strategic"] == ({"战略甲", "战略乙"}, {"战略乙"})
    assert duties["quota-key"] == (set(), set())
    assert "quota-general" not in duties  # by choice: no quota
    settings_service.store({"visit_quotas": {"strategic": 1, "key": 2, "general": 0}})
    assert by_key(manager)["quota-key"] == ({"重点丙"}, {"重点丙"})
    log_contact(k1, manager, "visit", "第二次走访", at=D(2026, 9, 1, 9))
    assert by_key(manager)["quota-key"] == (set(), set())  # two this year: UNION ALL counts both

    # sales: a general customer of theirs on site within two years; important prospects once
    duties = by_key(users["sales"])
    assert duties["general-visits"] == ({"一般老客", "一般新客"}, {"一般老客"})
    assert duties["prospect-visits"] == ({"潜在旧", "潜在新"}, {"潜在旧"})
    log_contact(fresh, users["sales"], "visit", "上门拜访", at=D(2026, 11, 21, 15))
    assert by_key(users["sales"])["prospect-visits"] == ({"潜在旧"}, {"潜在旧"})
    assert "deputy-calls" not in duties and "quota-key" not in duties


def test_the_home_page_and_the_duties_page_show_due_and_overdue(login, users, database,
                                                                make_customer):
    make_customer(name="战略甲", tier="strategic", status="cooperating")
    make_customer(name="潜在旧", tier="key", status="potential", owner=users["sales"],
                  created_at=D(2026, 10, 1))
    gm = login("gm")
    home = BeautifulSoup(gm.get("/").get_data(as_text=True), "html.parser")
    tiles = {a.select_one("span").text.strip(): a.select_one(".stat").text.strip()
             for a in home.select("a.tile") if a.select_one(".stat")}
    # calls (1) and visits (1) chosen from the strategic customers, the strategic quota (1) and
    # the prospect (1); all overdue, as last period had none either
    assert tiles["联络职责到期"] == "4" and tiles["联络职责逾期"] == "4"
    page = BeautifulSoup(gm.get("/archives/contact-duties").get_data(as_text=True),
                         "html.parser")
    sections = {s.select_one("h2").text: s for s in page.select("section.card")}
    assert "战略甲" in sections["每月有选择致电战略合作客户"].text
    assert "逾期" in sections["重要潜在客户至少拜访一次"].text
    assert login("desk").get("/archives/contact-duties").status_code == 403


def test_the_home_counts_follow_a_contact_at_once(login, users, database, make_customer):
    strategic = make_customer(name="战略甲", tier="strategic", status="cooperating")
    manager = login("manager")

    def tiles():
        home = BeautifulSoup(manager.get("/").get_data(as_text=True), "html.parser")
        return {a.select_one("span").text.strip(): a.select_one(".stat").text.strip()
                for a in home.select("a.tile") if a.select_one(".stat")}
    assert tiles()["联络职责到期"] == "1"
    manager.submit(f"/archives/{strategic.id}/contacts-log", {"method": "visit", "note": "走访"},
                   page=f"/archives/{strategic.id}")
    assert tiles()["联络职责到期"] == "0"  # counted again: a contact was logged
    for n in range(120):
        make_customer(name=f"战略{n}", tier="key", status="cooperating")
    assert tiles()["联络职责到期"] == "100+"  # each duty counted up to the tile's cap
