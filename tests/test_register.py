"""The visitor register is one query: its list, its printed sheet and its export show the same
visits for every filter, and the export and the sheet carry every column the list shows."""
import datetime
import io
import re

import pytest
from openpyxl import load_workbook
from pypdf import PdfReader

from blueprints.reception import service
from models import Customer, Visit, clock
from services import settings as settings_service

DAY = datetime.date(2026, 11, 23)
AT = datetime.datetime(2026, 11, 23, 9, 0)


@pytest.fixture
def register(users, database):
    """Six visits on DAY (classes, hosts, inside or left, one at night, one blacklisted
    customer) and one the day before."""
    settings = settings_service.load()
    banned = Customer.create(name="黑名单客户", phone="13900009999", kind="shopper",
                             status="cooperating", blacklisted=True, blacklist_reason="闹事")
    rows = [("甲", "A", "desk", 0, False), ("乙", "B", "sales", 1, True),
            ("丙", "C", "desk", 2, False), ("丁", "C", "sales", 3, True),
            ("戊", "B", "desk", 12, False), ("己", "C", "desk", 4, False)]
    visits = []
    with clock.frozen(datetime.datetime(2026, 11, 23, 21, 30)):
        for name, kind, host, hours, left in rows:
            visit = service.register_visit(Visit(
                name=f"访客{name}", phone="13800001234", reception_class=kind, purpose="拜访",
                host=users[host], arrived_at=AT + datetime.timedelta(hours=hours),
                visitee_staff=users["manager"] if name == "丙" else None,
                customer=banned if name == "己" else None), users["desk"], settings)
            if left:
                visit.left_at = visit.arrived_at + datetime.timedelta(minutes=30)
                visit.save()
            visits.append(visit)
        service.register_visit(Visit(name="访客昨", reception_class="C", purpose="拜访",
                                     arrived_at=AT - datetime.timedelta(days=1)),
                               users["desk"], settings)
    return visits


def serials(text):
    return sorted(set(re.findall(r"FK-\d{6}-\d+", text)))


FILTERS = ["", "&reception_class=C", "&state=inside", "&state=left", "&night=1",
           "&reception_class=B&state=left"]


@pytest.mark.parametrize("extra", FILTERS)
def test_list_sheet_and_export_show_the_same_visits(extra, register, login):
    manager = login("manager")
    with clock.frozen(datetime.datetime(2026, 11, 23, 21, 40)):
        query = f"day={DAY.isoformat()}{extra}"
        listed = serials(manager.get(f"/reception/?{query}").get_data(as_text=True))
        sheet = load_workbook(io.BytesIO(manager.get(f"/reception/visits/export?{query}").data))
        exported = sorted(row[0] for row in sheet.active.iter_rows(min_row=2, values_only=True))
        reader = PdfReader(io.BytesIO(manager.get(f"/reception/visits/print?{query}").data))
        printed = serials("\n".join(page.extract_text() for page in reader.pages))
    assert listed == exported == printed
    expected = {"": 6, "&reception_class=C": 3, "&state=inside": 4, "&state=left": 2,
                "&night=1": 1, "&reception_class=B&state=left": 1}[extra]
    assert len(listed) == expected


def test_every_listed_column_is_exported_and_printed(register, login):
    manager = login("manager")
    page = manager.get(f"/reception/?day={DAY.isoformat()}").get_data(as_text=True)
    head = re.search(r"<thead>(.*?)</thead>", page, re.S).group(1)
    listed = re.findall(r"<th[^>]*>(.*?)</th>", head)
    sheet = load_workbook(io.BytesIO(manager.get(
        f"/reception/visits/export?day={DAY.isoformat()}").data)).active
    exported = [cell.value for cell in next(sheet.iter_rows(max_row=1))]
    reader = PdfReader(io.BytesIO(manager.get(
        f"/reception/visits/print?day={DAY.isoformat()}").data))
    printed = reader.pages[0].extract_text()
    assert listed and set(listed) <= set(exported), (listed, exported)
    assert all(label in printed for label in listed), listed
    # The joined names the three read: the host, the staff member visited, the blacklist.
    rows = {row[0]: row for row in sheet.iter_rows(min_row=2, values_only=True)}
    visited = next(v for v in register if v.visitee_staff_id)
    hosted = next(v for v in register if v.host_id == v.registered_by_id)
    assert rows[visited.serial][5] == visited.visitee_staff.display_name
    assert rows[hosted.serial][10] == hosted.host.display_name
    assert "黑名单" in page and visited.visitee_staff.display_name in page


def test_the_register_names_the_staff_from_the_directory_and_follows_a_rename(register, login,
                                                                              users):
    """The host and the staff member visited are named from the staff directory, not joined:
    a rename shows on the list, the sheet and the export at once."""
    from models import User
    from tests.conftest import count_queries
    manager = login("manager")
    day = f"day={DAY.isoformat()}"
    manager.get(f"/reception/?{day}")
    with count_queries() as queries:
        manager.get(f"/reception/?{day}")
    read = [sql for sql in queries.statements if 'FROM "visit"' in sql]
    assert read and not any('"user"' in sql for sql in read), queries.statements
    person = User.get_by_id(users["manager"].id)
    person.display_name = "新任经理"
    person.save()
    desk = User.get_by_id(users["desk"].id)
    desk.display_name = "新来的前台"
    desk.save()
    page = manager.get(f"/reception/?{day}").get_data(as_text=True)
    assert "新任经理" in page
    rows = load_workbook(io.BytesIO(manager.get(f"/reception/visits/export?{day}").data)).active
    hosts = {row[10] for row in rows.iter_rows(min_row=2, values_only=True)}
    assert "新来的前台" in hosts and users["desk"].display_name not in hosts
    reader = PdfReader(io.BytesIO(manager.get(f"/reception/visits/print?{day}").data))
    assert "新来的前台" in reader.pages[0].extract_text()
