"""The desk's rota (排班表) and the shift a handover passes to (seed 004: 白班 08:00–17:00 two
people, 晚班 17:00–01:00 two people, 常班 09:00–18:00; four rest days a month, as the month's
rota says)."""
import calendar
import datetime

from models import RotaEntry, User, clock, db
from models.i18n import gettext as _
from models.reception import REST, ROTA_CHOICES, SHIFTS
from services import audit

HOURS = {"day": (8, 17), "night": (17, 1), "regular": (9, 18)}
NEXT = {"day": "night", "regular": "night", "night": "day"}  # who takes over from whom
STAFFED = {"day": 2, "night": 2}  # people a shift needs (the seed's 两人)
REST_DAYS = 4  # a month


class RotaError(ValueError):
    """A change the rota refuses; the message says why."""


def shift_at(moment):
    """(day, shift) a moment falls in: 00:00–01:00 is the previous day's 晚班; 01:00–08:00,
    outside every shift, counts as the 晚班 that has just ended."""
    day, hour = moment.date(), moment.hour
    starts, ends = HOURS["day"]
    if hour < starts:
        return day - datetime.timedelta(days=1), "night"
    return day, "day" if hour < ends else "night"


def month_days(year, month):
    first = datetime.date(year, month, 1)
    return [first + datetime.timedelta(days=n) for n in range(calendar.monthrange(year, month)[1])]


def month_rota(year, month):
    """{(user id, day): shift} of the month."""
    days = month_days(year, month)
    return {(e.user_id, e.day): e.shift for e in RotaEntry.select().where(
        (RotaEntry.day >= days[0]) & (RotaEntry.day <= days[-1]))}


def set_shift(user, day, shift, actor):
    """Put `user` on `shift` (or REST, or nobody with "") on `day`. A day gone by keeps its
    rota: it is what happened."""
    if shift and shift not in ROTA_CHOICES:
        raise RotaError(_("没有这个班次"))
    if day < clock.today():
        raise RotaError(_("%(day)s 已过，排班不能再改", day=day))
    with db.atomic():
        entry = RotaEntry.get_or_none((RotaEntry.user == user) & (RotaEntry.day == day))
        if not shift:
            if entry is not None:
                audit.record(audit.UPDATE, entry, actor, {"shift": entry.shift}, {"shift": ""})
                entry.delete_instance()
            return None
        if entry is None:
            entry = RotaEntry(user=user, day=day)
        entry.shift = shift
        return audit.save(entry, actor)


def warnings(year, month, people):
    """What the month's rota leaves short: a person with other than REST_DAYS rest days, a day
    whose 白班 or 晚班 has fewer than STAFFED people. [(day or None, person or None, text)]."""
    rota, days = month_rota(year, month), month_days(year, month)
    found = []
    for person in people:
        planned = [rota.get((person.id, day)) for day in days]
        if any(planned):
            rests = planned.count(REST)
            if rests != REST_DAYS:
                found.append((None, person, _("%(name)s 本月休息 %(n)s 天（制度为每月 %(rule)s 天）",
                                              name=person.display_name, n=rests, rule=REST_DAYS)))
    for day in days:
        if not any(rota.get((p.id, day)) for p in people):
            continue
        for shift, needed in STAFFED.items():
            count = sum(1 for p in people if rota.get((p.id, day)) == shift)
            if count < needed:
                found.append((day, None, _("%(day)s %(shift)s 只排了 %(n)s 人（需 %(need)s 人）",
                                           day=day, shift=SHIFTS[shift], n=count, need=needed)))
    return found


def on_shift(day, shift):
    """Who the rota puts on `shift` on `day`."""
    return list(User.select().join(RotaEntry, on=(RotaEntry.user == User.id)).where(
        (RotaEntry.day == day) & (RotaEntry.shift == shift)).order_by(User.display_name))


def incoming(handover):
    """(day, shift, people) the handover passes to by the rota: the shift after the one it was
    written in (a 晚班 written after midnight is the previous day's). People is empty when the
    rota names nobody."""
    shift = handover.shift if handover.shift in NEXT else shift_at(handover.at)[1]
    day = handover.at.date()
    if shift == "night":
        day += datetime.timedelta(days=0 if handover.at.hour < 8 else 1)
    following = NEXT[shift]
    return day, following, on_shift(day, following)


def may_acknowledge(handover, user_id):
    """The incoming shift acknowledges: the people the rota puts on it, or, when it names
    nobody, anyone but the author."""
    if handover.author_id == user_id:
        return False
    _day, _shift, people = incoming(handover)
    return not people or user_id in {p.id for p in people}


def current_shift(user, moment):
    """The shift the rota has `user` on at `moment`, else the one the hour falls in."""
    day, by_hour = shift_at(moment)
    planned = RotaEntry.get_or_none((RotaEntry.user == user) & (RotaEntry.day == day))
    return planned.shift if planned is not None and planned.shift in SHIFTS else by_hour
