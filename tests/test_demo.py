"""Demo data: one user per role, customers with contacts and timelines, all searchable."""
from blueprints import demo
from models import (
    Complaint,
    Customer,
    EmergencyContact,
    Handover,
    PointsEntry,
    TimelineEntry,
    User,
    VipCard,
    Visit,
    WorkOrder,
)
from models.users import ROLES


def test_demo_fill(app, database):
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "desk" in result.output and demo.DEMO_PASSWORD in result.output
    assert {u.role for u in User.select()} == set(ROLES)
    assert Customer.select().count() == 60 + 15  # archive customers and VIP members
    assert EmergencyContact.select().count() > 20
    assert Customer.select().where(Customer.name_initials == "").count() == 0
    kinds = {c.kind for c in Customer.select()}
    assert kinds == {"resident", "company", "dealer", "shopper"}
    assert Visit.select().count() > 60 and Visit.select().where(Visit.night_duty).exists()
    assert Complaint.select().count() == 12 and len({c.state for c in Complaint.select()}) > 2
    assert WorkOrder.select().count() == 20 and len({o.state for o in WorkOrder.select()}) > 2
    assert VipCard.select().count() == 15 and PointsEntry.select().exists()
    assert Handover.select().where(Handover.acknowledged_at.is_null()).count() == 1
    assert TimelineEntry.select().count() > 100


def test_the_demo_tells_one_story(app, database):
    """Issue 22: visitors inside today, customer visits and returns, and every complaint step
    stamped when it happened (not at seeding time), progress reports listed once."""
    from blueprints.complaints import service as complaints
    from models import ComplaintStep, CustomerVisit, ReturnRequest, clock
    app.test_cli_runner().invoke(args=["demo-data"])
    today = clock.today()
    inside = Visit.select().where(Visit.left_at.is_null())
    assert inside.count() >= 2 and all(v.arrived_at.date() == today for v in inside)
    assert {v.state for v in CustomerVisit.select()} == {"done", "appointed"}
    assert {r.state for r in ReturnRequest.select()} >= {"requested", "received", "settled"}
    from models import Delivery
    # (issue 23: the outbox has sent and failed notices on each kind of channel)
    assert {(d.channel, d.state) for d in Delivery.select()} == {
        ("wecom", "sent"), ("wecom", "failed"), ("sms", "sent"), ("email", "failed")}
    seeded_at = clock.now()
    for complaint in Complaint.select():
        steps = ComplaintStep.select().where(ComplaintStep.complaint == complaint)
        intake = steps.where(ComplaintStep.action == "intake").get()
        assert intake.at == complaint.received_at
        assert all(s.at < seeded_at for s in steps), complaint.serial
        shown = complaints.page_rows(complaint)["steps"]
        assert "progress" not in {s.action for s in shown}
        assert [s.at for s in shown] == sorted(s.at for s in shown)


def test_demo_logins_work(app, database, client):
    app.test_cli_runner().invoke(args=["demo-data"])
    assert client.login("manager", demo.DEMO_PASSWORD).status_code == 302


def test_the_log_names_only_the_logins_that_work(app, database, capsys):
    """Issue 22: the server log printed the demo logins whatever the database held."""
    from commands import print_logins
    from services import accounts
    print_logins()
    assert "Demo logins" not in capsys.readouterr().out  # no demo users in this database
    app.test_cli_runner().invoke(args=["demo-data"])
    accounts.set_password(User.get(User.username == "admin"), "a-new-secret-pass-7")
    print_logins()
    out = capsys.readouterr().out
    assert "Demo logins" in out and "manager" in out and "admin " not in out


def test_the_readmes_search_example_finds_someone(app, database, login):
    """Issue 22: the README says `zs` finds 张三; in the demo data it found nothing."""
    app.test_cli_runner().invoke(args=["demo-data"])
    page = login("desk").get("/search?q=zs").get_data(as_text=True)
    assert "张三" in page and "客户档案" in page
