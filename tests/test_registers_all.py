"""Every declared register, on the demo's week: listed, searched, entered through its own form,
exported and printed; and the engine holds against hostile input."""
import io

import pytest
from bs4 import BeautifulSoup
from openpyxl import load_workbook
from pypdf import PdfReader

from blueprints.demo import DEMO_PASSWORD
from blueprints.registers.engine import REGISTERS
from models import clock
from tests.conftest import FROZEN, Browserish


@pytest.fixture
def demo(app, database):
    app.test_cli_runner().invoke(args=["demo-data"])


@pytest.fixture
def demo_clients(app, demo):
    """The demo's manager and engineer, signed in."""
    clients = {}
    for role in ("manager", "engineer"):
        clients[role] = Browserish(app.test_client())
        assert clients[role].login(role, DEMO_PASSWORD).status_code == 302
    with app.test_request_context():  # (the registers' labels, read by the tests)
        yield clients


def manager_or_engineer(register):
    from services import permissions
    return "manager" if permissions.allowed("manager", register.permission) else "engineer"


def form_values(html, form_selector="main form.card"):
    """What a browser sends for the form on this page, as it stands."""
    form = BeautifulSoup(html, "html.parser").select_one(form_selector)
    values = {}
    for field in form.select("input, select, textarea"):
        name = field.get("name")
        if not name or field.get("type") in ("submit", "button"):
            continue
        if field.name == "select":
            chosen = field.select_one("option[selected]") or field.select_one("option")
            values[name] = chosen["value"] if chosen else ""
        elif field.name == "textarea":  # (a browser drops the newline after <textarea>)
            text = field.get_text()
            values[name] = text[2:] if text.startswith("\r\n") else text.removeprefix("\n")
        elif field.get("type") in ("checkbox", "radio"):
            if field.has_attr("checked"):
                values[name] = field.get("value", "y")
        else:
            values[name] = field.get("value", "")
    return values


def test_the_demo_has_a_week_in_every_register(demo_clients):
    week = FROZEN.date().toordinal() - 6
    for register in REGISTERS.values():
        model = register.model
        count = model.select().where(model.not_voided()).count()
        assert count >= 2, register.slug
        if register.date:
            days = {getattr(e, register.date) for e in model.select()}
            days = {d.date() if hasattr(d, "date") else d for d in days}
            assert all(d.toordinal() >= week - 1 for d in days), register.slug


def test_each_register_lists_searches_exports_and_prints(demo_clients):
    clients = demo_clients
    for register in REGISTERS.values():
        client = clients[manager_or_engineer(register)]
        base = f"/registers/{register.slug}"
        page = BeautifulSoup(client.get(base + "/").get_data(as_text=True), "html.parser")
        rows = page.select("table.register tbody tr")
        assert rows and not rows[0].select("td.muted"), register.slug
        entry = register.model.select().where(register.model.not_voided()).first()
        if register.search:
            words = register.text(entry, register.search[0]).split(" ")[0]
            found = client.get(f"{base}/?q={words}").get_data(as_text=True)
            assert f'{base}/{entry.id}"' in found, (register.slug, words)
        detail = client.get(f"{base}/{entry.id}")
        assert detail.status_code == 200, register.slug

        export = client.get(f"{base}/export")
        sheet = load_workbook(io.BytesIO(export.data)).active
        cells = {str(c.value) for row in sheet.iter_rows() for c in row}
        assert register.label(register.all_columns()[0]) in cells, register.slug
        for name in register.masked:
            assert getattr(entry, name) not in cells or not getattr(entry, name), register.slug

        start = (FROZEN.date().replace(day=1) if FROZEN.day > 7 else FROZEN.date().replace(
            day=1, month=FROZEN.month - 1)).isoformat()
        printed = client.get(f"{base}/print?start={start}&end={FROZEN.date()}")
        text = PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
        assert str(register.title) in text and "第 1 页" in text, register.slug
        assert register.number in text, register.slug
        form = client.get(f"{base}/{entry.id}/print")
        text = PdfReader(io.BytesIO(form.data)).pages[0].extract_text()
        if register.entry_template == "print/register_entry.html":
            assert register.label(register.entry_fields[0]) in text, register.slug
        else:  # a paper form of its own (the reply letter)
            assert register.heading(entry) in text, register.slug


def test_each_register_takes_an_entry_through_its_form(demo_clients):
    """Each register's entry form, as the edit page shows an entry, sent back unchanged and
    then, the entry voided, sent as a new entry: the same values come back. (Last declared
    first: an entry is voided only after those that depend on it are entered again.)"""
    clients = demo_clients
    for register in reversed(REGISTERS.values()):
        client = clients[manager_or_engineer(register)]
        model, base = register.model, f"/registers/{register.slug}"
        entry = model.select().where(model.not_voided()).order_by(model.id.desc()).first()
        before = register.row(entry, register.entry_fields)
        edit = client.get(f"{base}/{entry.id}/edit").get_data(as_text=True)
        values = form_values(edit)
        same = client.post(f"{base}/{entry.id}/edit", data=values)
        assert same.status_code == 302, (register.slug, [li.get_text() for li in BeautifulSoup(
            same.get_data(as_text=True), "html.parser").select(".errors li")])
        assert register.row(model.get_by_id(entry.id), register.entry_fields) == before

        page = f"{base}/{entry.id}"
        client.submit(f"{page}/void", {"reason": "重新登记"}, page=page)
        for name in register.masked:  # a clerk types the full number again
            values[name] = getattr(entry, name)
        values.pop("once", None)
        parent = f"?parent={getattr(entry, register.parent).id}" if register.parent else ""
        made = client.post(f"{base}/new{parent}", data=values)
        assert made.status_code == 302, (register.slug, [li.get_text() for li in BeautifulSoup(
            made.get_data(as_text=True), "html.parser").select(".errors li")])
        again = model.select().order_by(model.id.desc()).first()
        assert again.id != entry.id and not again.voided
        assert register.row(again, register.entry_fields) == before, register.slug


def test_hostile_input_gets_a_message_and_saves_nothing(login, users, make_customer,
                                                      database):
    from models.registers import ParkingDeal
    desk = login("desk")
    owner = make_customer()
    assert desk.get("/registers/parking-deals/99999999999999999999999").status_code == 404
    assert desk.get("/registers/no-such/1").status_code == 404
    assert desk.get("/registers/parking-deals/?start=9999-12-31&end=0001-01-01&q="
                    + "z" * 500).status_code == 200
    assert desk.get("/registers/parking-deals/?kind=<script>").status_code == 200
    assert desk.get("/registers/phones/0755<x>").status_code == 404
    assert desk.get("/registers/pick?field=__class__&__class___q=a").status_code == 200
    base = {"space": "B2-001", "kind": "rent", "customer": str(owner.id),
            "starts_on": "2026-07-01", "ends_on": "2027-06-30"}
    for hostile in ({"customer": "9" * 25}, {"customer": "-1"}, {"price": "1e30"},
                    {"price": "NaN"}, {"price": "sNaN"}, {"price": "Infinity"},
                    {"price": "-5"}, {"starts_on": "9999-12-31"}, {"space": "x" * 500},
                    {"kind": "both"}, {"ends_on": "2027-02-30"}):
        response = desk.submit("/registers/parking-deals/new", {**base, **hostile})
        assert response.status_code == 422, hostile
        assert BeautifulSoup(response.get_data(as_text=True), "html.parser").select(
            ".errors li"), hostile
    assert ParkingDeal.select().count() == 0
    made = desk.submit("/registers/parking-deals/new", base)
    assert made.status_code == 302
    entry = ParkingDeal.get()
    assert desk.submit(f"/registers/parking-deals/{entry.id}/do/nothing", {},
                       page=made.location).status_code == 404
    assert desk.submit(f"/registers/parking-deals/{entry.id}/reveal",
                       {"field": "voided", "reason": "x"}, page=made.location).status_code == 400
    with clock.frozen(FROZEN):
        assert desk.post("/registers/parking-deals/new", data=base).status_code == 400  # no CSRF
    assert ParkingDeal.select().count() == 1
