"""The desk's three shifts and the rota (seed 004: "白班08:00-17:00 两人 晚班17:00-01:00 两人
常班09:00-18:00 两人 每月四天休息，休息时刻由当月排班表执行"), and handovers that follow it
("交接记录本：白班晚班交接时，登记好移交客户的情形")."""
import datetime
import io

import pytest
from pypdf import PdfReader

from blueprints.reception import shifts
from models import AuditEntry, Handover, RotaEntry, clock
from services import accounts
from tests.conftest import FROZEN, PASSWORD

DAY = FROZEN.date()  # a Monday, 10:00


def at(hour, minute=0, day=DAY):
    return datetime.datetime(day.year, day.month, day.day, hour, minute)


@pytest.mark.parametrize("moment, expected", [
    (at(8), (DAY, "day")), (at(16, 59), (DAY, "day")), (at(17), (DAY, "night")),
    (at(23, 59), (DAY, "night")),
    (at(0, 30, DAY + datetime.timedelta(days=1)), (DAY, "night")),
    (at(7, 59), (DAY - datetime.timedelta(days=1), "night"))])
def test_the_shift_a_moment_falls_in(moment, expected):
    assert shifts.shift_at(moment) == expected


def test_the_rota_keeps_past_days_and_refuses_unknown_shifts(users, database):
    desk, manager = users["desk"], users["manager"]
    tomorrow = DAY + datetime.timedelta(days=1)
    with pytest.raises(shifts.RotaError, match="已过"):
        shifts.set_shift(desk, DAY - datetime.timedelta(days=1), "day", manager)
    with pytest.raises(shifts.RotaError, match="没有这个班次"):
        shifts.set_shift(desk, tomorrow, "graveyard", manager)
    shifts.set_shift(desk, tomorrow, "night", manager)
    shifts.set_shift(desk, tomorrow, "rest", manager)
    assert RotaEntry.get().shift == "rest"
    shifts.set_shift(desk, tomorrow, "", manager)
    assert RotaEntry.select().count() == 0
    assert AuditEntry.select().where(AuditEntry.model == "RotaEntry").count() == 3


def test_the_rota_says_what_it_leaves_short(users, database):
    desk, manager = users["desk"], users["manager"]
    other = accounts.create_user("desk2", "客服乙", "desk", PASSWORD)
    days = shifts.month_days(2026, 11)
    for day in days[23:]:  # from the 24th: 7 days
        shifts.set_shift(desk, day, "day", manager)
        shifts.set_shift(other, day, "rest" if day.day < 28 else "night", manager)
    found = [text for _day, _person, text in shifts.warnings(2026, 11, [desk, other])]
    assert f"{desk.display_name} 本月休息 0 天（制度为每月 4 天）" in found
    assert not any(other.display_name in text and "休息" in text for text in found)
    assert "2026-11-24 白班 只排了 1 人（需 2 人）" in found
    assert "2026-11-24 晚班 只排了 0 人（需 2 人）" in found
    assert "2026-11-28 晚班 只排了 1 人（需 2 人）" in found
    assert not any("2026-11-23" in text for text in found)  # no rota that day: nothing said


def test_a_handover_passes_to_the_next_shift_on_the_rota(users, database):
    desk, manager = users["desk"], users["manager"]
    night = accounts.create_user("desk2", "晚班甲", "desk", PASSWORD)
    morning = accounts.create_user("desk3", "白班乙", "desk", PASSWORD)
    tomorrow = DAY + datetime.timedelta(days=1)
    with clock.frozen(at(9)):
        shifts.set_shift(desk, DAY, "day", manager)
        shifts.set_shift(night, DAY, "night", manager)
        shifts.set_shift(morning, tomorrow, "day", manager)
    evening = Handover.create(shift="day", author=desk, at=at(16, 50), items="快递柜故障")
    assert shifts.incoming(evening) == (DAY, "night", [night])
    assert shifts.may_acknowledge(evening, night.id)
    assert not shifts.may_acknowledge(evening, morning.id)
    assert not shifts.may_acknowledge(evening, desk.id)
    late = Handover.create(shift="night", author=night, at=at(0, 40, tomorrow), items="电梯")
    assert shifts.incoming(late) == (tomorrow, "day", [morning])
    unplanned = Handover.create(shift="night", author=night, at=at(23, 0, tomorrow))
    assert shifts.incoming(unplanned)[2] == []
    assert shifts.may_acknowledge(unplanned, desk.id)  # the rota names nobody: anyone but the author
    assert shifts.current_shift(desk.id, at(10)) == "day"
    assert shifts.current_shift(morning.id, at(18)) == "night"  # not on the rota: by the hour


def test_managers_keep_the_rota_the_desk_reads_and_prints_it(login, users, database):
    manager, desk = login("manager"), login("desk")
    tomorrow = (DAY + datetime.timedelta(days=1)).isoformat()
    cell = f"cell-{users['desk'].id}-{tomorrow}"
    page = manager.get("/reception/rota?month=2026-11").get_data(as_text=True)
    assert f'name="{cell}"' in page
    saved = manager.submit("/reception/rota/save?month=2026-11",
                           {cell: "night", f"cell-{users['desk'].id}-{DAY - datetime.timedelta(days=3)}": "day",
                            f"cell-{users['desk'].id}-2026-11-99": "day", "cell-junk": "x"},
                           page="/reception/rota?month=2026-11")
    assert saved.status_code == 302
    assert [(e.day.isoformat(), e.shift) for e in RotaEntry.select()] == [(tomorrow, "night")]
    flashed = manager.get(saved.location).get_data(as_text=True)
    assert "已过，排班不能再改" in flashed and "1 处改动" in flashed
    readonly = desk.get("/reception/rota?month=2026-11").get_data(as_text=True)
    assert f'name="{cell}"' not in readonly and "晚班" in readonly
    assert desk.submit("/reception/rota/save?month=2026-11", {cell: "rest"},
                       page="/reception/rota").status_code == 403
    pdf = PdfReader(io.BytesIO(desk.get("/reception/rota/print?month=2026-11").data))
    text = pdf.pages[0].extract_text()
    assert "客服排班表 2026-11" in text and users["desk"].display_name in text
    assert desk.get("/reception/rota?month=9999-99").status_code == 200


def test_the_handover_book_prints_and_only_the_incoming_shift_acknowledges(login, users,
                                                                          database):
    desk, manager = login("desk"), login("manager")
    morning = accounts.create_user("desk3", "白班乙", "desk", PASSWORD)
    with clock.frozen(at(9)):
        shifts.set_shift(morning, DAY, "day", users["manager"])
    handover = Handover.create(shift="night", author=users["sales"], at=at(7, 50),
                               items="3栋电梯异响已报修，请跟进", prospects="李先生 下午来看房")
    ack = f"/reception/handovers/{handover.id}/acknowledge"
    assert ack not in desk.get("/reception/handovers").get_data(as_text=True)
    refused = desk.submit(f"/reception/handovers/{handover.id}/acknowledge", {},
                          page="/reception/handovers")
    assert refused.status_code == 302 and Handover.get().acknowledged_at is None
    assert "应由接班人员确认：白班乙" in desk.get(refused.location).get_data(as_text=True)
    incoming = login("desk3")
    assert ack in incoming.get("/reception/handovers").get_data(as_text=True)
    incoming.submit(f"/reception/handovers/{handover.id}/acknowledge", {},
                    page="/reception/handovers")
    assert Handover.get().acknowledged_by_id == morning.id
    assert manager.get("/reception/handovers/new").status_code == 200
    printed = desk.get(f"/reception/handovers/print?start={DAY}&end={DAY}")
    text = PdfReader(io.BytesIO(printed.data)).pages[0].extract_text()
    assert "交接记录本" in text and "3栋电梯异响已报修" in text and "白班乙" in text
    assert "第 1 页 共 1 页" in text
