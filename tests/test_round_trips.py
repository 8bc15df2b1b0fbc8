"""The busiest pages wait for the database as few times as they can: on PostgreSQL each round
trip waits for a core under load, so a page's related reads go together (read_together)."""
import datetime

import pytest

from blueprints.complaints import service
from models import AuditEntry, Complaint, Visit, db
from tests.conftest import FROZEN, TEST_PG, round_trips


def trips(client, url):
    client.get(url)  # the staff directory and the settings are read once a process
    with round_trips() as counted:
        response = client.get(url)
    assert response.status_code == 200
    return counted.count


def test_busy_pages_read_together(login, users, database):
    """The complaint page: the user, then the complaint with its shares, progress, steps,
    notices and recomplaints at once. The filtered list: the user, then the A-class and the other
    rows at once. The visitor register: the user, then the day's rows and the count inside."""
    complaint = service.intake(Complaint(
        received_at=FROZEN - datetime.timedelta(days=2), complainant="张三", phone="13800001111",
        content="电梯坏了", category="服务质量", region="in_province", severity="general"),
        users["desk"])
    Visit.create(serial="FK-1", name="访客", arrived_at=FROZEN)
    manager, desk = login("manager"), login("desk")
    counted = {"complaint": trips(manager, f"/complaints/{complaint.id}"),
               "list": trips(manager, "/complaints/?view=all&state=closed&category=服务质量"),
               "register": trips(desk, f"/reception/?day={FROZEN:%Y-%m-%d}")}
    # On SQLite, where a statement is no round trip, each is still one statement.
    assert counted == ({"complaint": 2, "list": 2, "register": 2} if TEST_PG else
                       {"complaint": 7, "list": 3, "register": 3})


def test_registering_a_visitor_writes_without_savepoints_it_does_not_need(login, users,
                                                                         database):
    """The user; BEGIN; the serial's bump, the visit and its audit entry (audit.save joins the
    transaction it is called in, without a savepoint of its own); COMMIT."""
    desk = login("desk")
    token = desk.token("/reception/visits/new")
    with round_trips() as counted:
        response = desk.post("/reception/visits/new", data={
            "name": "访客甲", "phone": "13900001111", "id_type": "id_card", "headcount": "1",
            "purpose": "送快递", "host": str(users["desk"].id), "reception_class": "C",
            "arrived_at": f"{FROZEN:%Y-%m-%dT%H:%M}", "csrf_token": token})
    assert response.status_code == 302
    assert Visit.get().serial == f"FK-{FROZEN:%Y%m}-0001"
    # SQLite counts the statements peewee logs: the user, the bump, the visit, the audit entry
    # (BEGIN and COMMIT are not logged there).
    assert counted.count == (6 if TEST_PG else 4)


def test_a_failed_audit_entry_undoes_the_callers_whole_transaction(users, database):
    """Inside a caller's transaction, a record whose audit entry cannot be written is not kept,
    nor anything the caller wrote before it."""
    from services import audit

    class Unlabelled(Visit):
        class Meta:
            table_name = "visit"

        def label(self):
            raise RuntimeError("no label")

    entries = AuditEntry.select().count()
    with pytest.raises(RuntimeError), db.atomic():
        audit.save(Visit(serial="FK-1", name="先登记的访客", arrived_at=FROZEN), users["desk"])
        audit.save(Unlabelled(serial="FK-2", name="访客", arrived_at=FROZEN), users["desk"])
    assert Visit.select().count() == 0
    assert AuditEntry.select().count() == entries
