"""Home pages per role: each counter matches the fixture data and links to its list."""
import datetime

from bs4 import BeautifulSoup

from blueprints.complaints import service as complaints
from blueprints.repairs import service as repairs
from models import Complaint, Handover, RepairRequest, Visit, clock
from services import settings as settings_service


def tiles(response):
    return tiles_of(BeautifulSoup(response.get_data(as_text=True), "html.parser"))


def tiles_of(page):
    return {t.span.text: (int(t.div.text), t["href"]) for t in page.select(".home-panel .tile")}


def test_home_counters_per_role(login, users, database):
    now = clock.now()
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


def test_home_counters_count_only_what_their_lists_show(login, users, database):
    """Every counter written as SQL once counts only the rows its rule says: the assignee's due
    follow-ups and reports, work orders waiting review or late, customers late for contact (by
    owner for sales), evaluations waiting, cards expiring this month; voided and finished rows,
    other people's rows and rows not yet due are left out."""
    from models import Customer, FollowUp, GradeEvaluation, VipCard, WorkOrder
    today = clock.today()
    now = clock.now()
    yesterday, tomorrow = today - datetime.timedelta(days=1), today + datetime.timedelta(days=1)

    def follow_up(**fields):
        values = dict(subject="回访", planned_on=yesterday, assigned_to=users["desk"])
        values.update(fields)
        return FollowUp.create(**values)
    follow_up()  # a call due
    follow_up(planned_on=today)  # due today
    follow_up(done_at=now, report_due=today)  # a report due
    follow_up(planned_on=tomorrow)  # not yet
    follow_up(assigned_to=users["sales"])  # someone else's
    follow_up(voided=True)  # voided
    follow_up(done_at=now, report_due=today, reported_at=now)  # reported

    for state, deadline, started in (("under_review", now + datetime.timedelta(days=1), None),
                                     ("dispatched", now - datetime.timedelta(hours=1), None),
                                     ("in_progress", now - datetime.timedelta(hours=1), now),
                                     ("completed", now - datetime.timedelta(hours=1), None)):
        request = RepairRequest.create(location="1栋", content=state)
        WorkOrder.create(serial=f"WX-{state}", request=request, state=state, deadline=deadline,
                         started_at=started)

    old = now - datetime.timedelta(days=40)
    for name, owner, tier, contacted in (("甲", "sales", "general", old),
                                         ("乙", "sales", "general", now),
                                         ("丙", "manager", "key", old),
                                         ("丁", None, "general", old)):
        customer = Customer.create(name=name, phone="13900000000", tier=tier,
                                   owner=users[owner] if owner else None)
        Customer.update(contacted_at=contacted).where(Customer.id == customer.id).execute()
    Customer.create(name="作废", phone="13900000001", tier="general", voided=True,
                    owner=users["sales"])
    for state in ("proposed", "reviewed", "approved"):
        GradeEvaluation.create(customer=customer, year=2026, tier="general", grade="A",
                               state=state)
    month_end = (today.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
    for n, (state, expires) in enumerate((("active", month_end - datetime.timedelta(days=1)),
                                          ("active", month_end),
                                          ("blocked", today),
                                          ("active", yesterday))):
        VipCard.create(number=f"VIP{n:06d}", customer=customer, name="会员", phone="13900000000",
                       issued_on=today, expires_on=expires, state=state)

    desk = tiles(login("desk").get("/"))
    assert desk["我的待回访"] == (3, "/reception/followups?mine=1")
    assert desk["本月到期的会员卡"][0] == 1
    manager = tiles(login("manager").get("/"))
    assert manager["待评审工单"] == (1, "/repairs/?view=review")
    assert manager["超时工单"] == (1, "/repairs/?view=overdue")
    assert manager["应联系的客户"][0] == 3  # every owner's
    assert manager["待审批的评级"][0] == 2
    page = BeautifulSoup(login("sales").get("/").get_data(as_text=True), "html.parser")
    assert tiles_of(page)["应联系的客户"][0] == 1  # only their own
    mine = next(t for t in page.select("a.tile") if t.span.text == "我负责的客户")
    assert mine.select_one(".stat").text == "2"  # 甲 and 乙; not the voided one


def test_unacknowledged_handover_shown_at_login(login, users, database):
    Handover.create(shift="night", author=users["manager"], items="电梯异响")
    page = login("desk").get("/").get_data(as_text=True)
    assert "1 份交接记录待确认" in page and "电梯异响" in page


def test_cashier_counts_todays_birthdays_along_the_index(login, users, database):
    """Members whose birthday is today, active and unexpired, counted from birthday_md."""
    from blueprints.vip import service as vip
    from models import Customer, VipCard
    today = clock.today()

    def card(name, birthday, **fields):
        customer = Customer.create(name=name, phone="13900001111")
        made = vip.enrol(VipCard(customer=customer, name=name, phone="13900001111",
                                 birthday=birthday), users["desk"], settings_service.load(),
                         today=today)
        for key, value in fields.items():
            setattr(made, key, value)
        made.save()
        return made

    born = today.replace(year=1990) if (today.month, today.day) != (2, 29) \
        else datetime.date(1992, 2, 29)
    card("寿星", born)
    card("挂失的寿星", born, state="blocked")
    card("过期的寿星", born, expires_on=today - datetime.timedelta(days=1))
    other = card("改了生日", born)
    other.birthday = born + datetime.timedelta(days=1)
    other.save()  # birthday_md follows the change
    card("未填生日", None)
    assert VipCard.get(VipCard.name == "改了生日").birthday_md == other.birthday.strftime("%m-%d")
    assert VipCard.get(VipCard.name == "未填生日").birthday_md == ""
    assert tiles(login("desk").get("/"))["今天生日的会员"][0] == 1


def test_birthday_keys_celebrate_29_february_on_the_28th_in_other_years():
    from models.vip import birthday_keys
    assert birthday_keys(datetime.date(2027, 2, 28)) == ["02-28", "02-29"]
    assert birthday_keys(datetime.date(2028, 2, 28)) == ["02-28"]
    assert birthday_keys(datetime.date(2028, 2, 29)) == ["02-29"]
    assert birthday_keys(datetime.date(2026, 11, 23)) == ["11-23"]


def test_handover_items_are_short_and_shortened_at_home(login, users, database):
    """Issue 22: a handover line is at most 200 characters, and the home page shows its start."""
    manager = login("manager")
    refused = manager.submit("/reception/handovers/new", {"shift": "day",
                                                          "items": "很" * 201})
    assert refused.status_code == 422 and "不超过 200 字" in refused.get_data(as_text=True)
    assert Handover.select().count() == 0
    manager.submit("/reception/handovers/new", {"shift": "day", "items": "电梯" + "异" * 150})
    page = login("desk").get("/").get_data(as_text=True)
    assert "电梯" + "异" * 37 + "…" in page and "异" * 60 not in page  # 40 with the …


def test_the_notification_badge_counts_unread_and_clears_when_read(login, users, database):
    """The header's badge is read with the signed-in user (one query, not two per page); the
    list marks them read, and its own page already shows none."""
    import re

    from services.notifications import notify
    notify([users["desk"]], "投诉 KS-1 待处理")
    notify([users["desk"]], "工单 WX-1 待接单")
    notify([users["manager"]], "别人的通知")
    desk = login("desk")

    def badge(html):
        found = re.search(r'通知 <span class="badge bad">(\d+)</span>', html)
        return int(found.group(1)) if found else 0
    assert badge(desk.get("/").get_data(as_text=True)) == 2
    listing = desk.get("/notifications").get_data(as_text=True)
    assert "投诉 KS-1 待处理" in listing and "别人的通知" not in listing
    assert badge(listing) == 0
    assert badge(desk.get("/").get_data(as_text=True)) == 0


def test_each_home_page_reads_its_counters_in_one_statement(login, users, database):
    """Every tile's count, whatever the role, is read in one statement with the others (Later):
    the signed-in user, the handovers waiting (for the roles that take them) and that one
    statement are all a home page reads, and each counter still shows its own number."""
    from tests.conftest import count_queries
    Visit.create(serial="FK-1", name="访客", arrived_at=clock.now())
    for role, least, reads in (("desk", 3, 3), ("sales", 3, 3), ("engineer", 2, 2),
                               ("manager", 5, 3), ("gm", 5, 3)):
        browser = login(role)
        browser.get("/")
        with count_queries() as queries:
            shown = tiles(browser.get("/"))
        assert len(shown) >= least, (role, shown)
        assert queries.count == reads, (role, queries.count)
    assert tiles(login("desk").get("/"))["仍在场内的访客"][0] == 1
