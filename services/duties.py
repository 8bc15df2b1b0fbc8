"""Scheduled duties: what the regulations ask to happen in time, done by the desk itself.

Each duty says when it is due in the site's time (a period key such as "2026-11-30", or None)
and what to do. A tick every minute (services.tasks) runs each due duty once per period: the
run's row (DutyRun, unique per duty and period) is written before the work, so a second app
server's consumer, a second tick or a retry finds it and does nothing. The admin page lists
every duty with its last runs; a manager may run one now.
"""
import datetime
import logging
from collections import namedtuple

from huey import crontab
from peewee import IntegrityError

from models import DutyRun, clock, db, now
from models.base import literal
from models.i18n import lazy_gettext as _l
from models.platform import WorkState

from . import tasks

log = logging.getLogger(__name__)
RUNNING, DONE, FAILED = WorkState.RUNNING, WorkState.DONE, WorkState.FAILED
# A run still "running" after this long was cut off (a consumer killed mid-way): failed.
STALE_AFTER = datetime.timedelta(hours=2)

Duty = namedtuple("Duty", "name label schedule due work")
DUTIES = {}


def daily(hour, minute=0):
    """Due once a day from hh:mm (site time): the period is the date."""
    def due(at):
        return at.date().isoformat() if (at.hour, at.minute) >= (hour, minute) else None
    return due


def monthly(day, hour, minute=0, until=None):
    """Due once a month from the day's hh:mm until the day `until` (a run missed while the desk
    was off is made up within that window, not after it): the period is the month."""
    def due(at):
        if (at.day, at.hour, at.minute) >= (day, hour, minute) and at.day <= (until or day):
            return f"{at:%Y-%m}"
        return None
    return due


def register(name, label, schedule, due):
    """Declare a duty: work(at) -> a short account of what it did (shown on the admin page)."""
    def decorate(work):
        DUTIES[name] = Duty(name, label, schedule, due, work)
        return work
    return decorate


def run(name, at=None, period=None):
    """Run duty `name` for its period at `at` (site time) unless that period has run already.
    Returns the DutyRun, or None when it was not due or had run."""
    duty = DUTIES[name]
    at = at or now()
    period = period or duty.due(at)
    if period is None:
        return None
    try:
        with db.atomic():
            record = DutyRun.create(duty=name, period=period, started_at=now(), state=RUNNING)
    except IntegrityError:
        return None  # this period's run exists: another consumer or an earlier tick did it
    try:
        with db.atomic():
            detail = duty.work(at) or ""
        record.state, record.detail = DONE, str(detail)[:500]
    except Exception as error:  # the admin page shows it; the work's transaction rolled back
        log.exception("duty %s failed", name)
        record.state, record.detail = FAILED, f"{type(error).__name__}: {error}"[:500]
    record.finished_at = now()
    record.save()
    return record


def run_now(name, at=None):
    """A manager's "run now": its own period, so the day's scheduled run still happens."""
    at = at or now()
    return run(name, at, period=f"manual {at:%Y-%m-%d %H:%M:%S}")


def tick(at=None):
    """Every due duty, once per period; runs left "running" too long are marked failed."""
    at = at or clock.now()
    DutyRun.update(state=FAILED, finished_at=now(),
                   detail="interrupted: the consumer stopped during the run").where(
        (DutyRun.state == RUNNING) & (DutyRun.started_at < at - STALE_AFTER)).execute()
    return [record for record in (run(name, at) for name in DUTIES) if record is not None]


def last_runs(limit=5):
    """{duty: its latest runs, newest first}."""
    return {name: list(DutyRun.select().where(DutyRun.duty == name)
                       .order_by(DutyRun.started_at.desc(), DutyRun.id.desc())
                       .limit(literal(limit)))
            for name in DUTIES}


# ---- the daily digest: one notice per person with what waits for them ------------------------

# (source message with %(n)s, roles it is for, count(user, today, memo) -> int); the modules add
# their lines in their duties.py. `memo` is shared by one digest run, for counts every reader
# of a role shares.
DIGEST = []


def digest_line(message, roles):
    """Declare a line of the daily digest (see DIGEST)."""
    def decorate(count):
        DIGEST.append((message, frozenset(roles), count))
        return count
    return decorate


@register("daily_digest", _l("每日待办汇总（按角色）"), _l("每天 08:00"), daily(8))
def digest(at):
    """Each active user with something waiting hears it in one notice: its lines with counts."""
    from models import User
    from models.i18n import N_

    from . import notifications
    memo, told = {}, 0
    for user in User.select().where(User.active).order_by(User.id):
        items = []
        for message, roles, count in DIGEST:
            if user.role in roles:
                n = count(user, at.date(), memo)
                if n:
                    items.append({"text": message, "params": {"n": n}})
        if items:
            notifications.notify([user], N_("今日待办：%(items)s"), kind=notifications.DIGEST,
                                 items=items)
            told += 1
    return f"{told} people told"


# The queue's side: a tick every minute, and a manager's "run now" as a task.

@tasks.periodic(crontab(minute="*"), retries=0)
def tick_task():
    """Every minute: the duties due now (their runs are idempotent per period), and queued
    work whose consumer has gone taken up again (services.jobs.sweep)."""
    from . import jobs
    from . import settings as settings_service
    settings_service.load()  # (the site's clock follows its timezone setting, as in a request)
    jobs.sweep()
    return [record.duty for record in tick()]


@tasks.task(retries=0)
def run_now_task(name):
    record = run_now(name)
    return record.state if record else None
