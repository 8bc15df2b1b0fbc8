"""The staff directory (services.staff): names, roles and departments read once per process and
read again as soon as anyone's record is saved, in any process."""
from blueprints.complaints import service as complaints
from models import Complaint, User
from services import staff
from tests.conftest import count_queries


def test_pages_name_the_staff_without_reading_them_and_follow_a_rename(login, users,
                                                                         database):
    complaint = complaints.intake(Complaint(complainant="张三", content="漏水",
                                            category="服务质量"), users["desk"])
    manager = login("manager")
    old_name = users["desk"].display_name
    assert old_name in manager.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    with count_queries() as queries:
        page = manager.get(f"/complaints/{complaint.id}").get_data(as_text=True)
        listed = manager.get("/complaints/?view=all").get_data(as_text=True)
    assert old_name in page and old_name in listed
    again = queries.count
    rows = [sql for sql in queries.statements if 'FROM "complaint"' in sql]
    assert rows and not any('"user"' in sql for sql in rows)  # the owner is not joined

    desk = User.get_by_id(users["desk"].id)
    desk.display_name = "新来的前台"
    desk.save()  # (another process, as far as this one knows: only the revision tells)
    page = manager.get(f"/complaints/{complaint.id}").get_data(as_text=True)
    assert "新来的前台" in page and old_name not in page
    listed = manager.get("/complaints/?view=all").get_data(as_text=True)
    assert "新来的前台" in listed and old_name not in listed
    with count_queries() as queries:
        manager.get(f"/complaints/{complaint.id}")
        manager.get("/complaints/?view=all")
    assert queries.count == again  # the directory read once more, then kept again

    desk.active = False
    desk.save()
    assert users["desk"].id not in {user.id for user in staff.active_staff()}
    owners = manager.get("/complaints/?view=all").get_data(as_text=True)
    assert f'value="{users["desk"].id}"' not in owners  # no longer offered in the filter
