"""Demo data: one user per role, customers with contacts and timelines, all searchable."""
from models import Customer, EmergencyContact, TimelineEntry, User
from models.users import ROLES
from services import demo


def test_demo_fill(app, database):
    result = app.test_cli_runner().invoke(args=["demo-data", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert "desk" in result.output and demo.DEMO_PASSWORD in result.output
    assert {u.role for u in User.select()} == set(ROLES)
    assert Customer.select().count() == 60
    assert EmergencyContact.select().count() > 20
    assert TimelineEntry.select().count() == 60
    assert Customer.select().where(Customer.name_initials == "").count() == 0
    kinds = {c.kind for c in Customer.select()}
    assert kinds == {"resident", "company", "dealer", "shopper"}


def test_demo_logins_work(app, database, client):
    app.test_cli_runner().invoke(args=["demo-data"])
    assert client.login("manager", demo.DEMO_PASSWORD).status_code == 302
