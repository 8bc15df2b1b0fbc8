"""Satisfaction surveys and follow-up reviews (seed 001 第十五条（五）, 第十七条（五）): a survey
each half year, its 用户满意率调查汇报 due 10 July and 10 January, and the sales department's
quarterly 回访工作总体评定汇报 (due, by this office's rule, on the 10th after the quarter)."""
import datetime
import re

from peewee import SQL, fn

from models import FollowUp, clock, now
from models.base import Prepared, later_all, read_later
from models.i18n import gettext as _
from models.i18n import lazy_gettext as _l
from models.registers import FollowUpReview, SatisfactionAnswer, SatisfactionReport
from models.users import GM, MANAGER

from .engine import RuleError

HALF = re.compile(r"^(\d{4})-H([12])$")
QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")
ASPECTS = (("quality", _l("质量满意率")), ("price", _l("价格满意率")),
           ("service", _l("基础服务满意率")))
SATISFIED = ("4", "5")
PENDING_DAYS = 30  # a report shows as to be filed this long before its period ends


def half_of(day):
    return f"{day.year}-H{1 if day.month <= 6 else 2}"


def half_bounds(period):
    """(first day, last day, report due) of a half year such as 2026-H2."""
    year, half = (int(n) for n in HALF.match(period).groups())
    if half == 1:
        return datetime.date(year, 1, 1), datetime.date(year, 6, 30), datetime.date(year, 7, 10)
    return datetime.date(year, 7, 1), datetime.date(year, 12, 31), datetime.date(year + 1, 1, 10)


def quarter_of(day):
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def quarter_bounds(period):
    """(first day, last day, review due) of a quarter such as 2026-Q4."""
    year, quarter = (int(n) for n in QUARTER.match(period).groups())
    first = datetime.date(year, 3 * quarter - 2, 1)
    after = datetime.date(year + (quarter == 4), 1 if quarter == 4 else 3 * quarter + 1, 1)
    return first, after - datetime.timedelta(days=1), after.replace(day=10)


def _period(entry, name, pattern, example):
    value = (getattr(entry, name) or "").strip().upper()
    setattr(entry, name, value)
    match = pattern.match(value)
    if not match or not 2000 <= int(match.group(1)) <= 2100:
        raise RuleError(name, _("请按 %(example)s 的格式填写", example=example))
    return value


def _others(model, entry, *conditions):
    query = model.live().where(*conditions)
    return query.where(model.id != entry.id) if entry.id else query


# --- the questionnaire

def check_answer(answer):
    """One questionnaire per customer each half year."""
    period = half_of(answer.answered_on)
    start, end, _due = half_bounds(period)
    if _others(SatisfactionAnswer, answer, SatisfactionAnswer.customer == answer.customer_id,
               SatisfactionAnswer.answered_on.between(start, end)).exists():
        raise RuleError("customer", _("该用户本期（%(period)s）已有调查问卷", period=period))


def answer_standing(answer):
    scores = [getattr(answer, name) for name, _label in ASPECTS]
    return _("满意") if all(s in SATISFIED for s in scores) else _("有不满意项")


def figures(start, end):
    """[(label, text)]: answers in [start, end] and each aspect's satisfied share (4 or 5)."""
    answers = list(SatisfactionAnswer.live().where(
        SatisfactionAnswer.answered_on.between(start, end)))
    rows = [(_("调查份数"), str(len(answers)))]
    for name, label in ASPECTS:
        happy = sum(1 for a in answers if getattr(a, name) in SATISFIED)
        rows.append((str(label), f"{100 * happy / len(answers):.1f}%" if answers else "—"))
    every = sum(1 for a in answers if all(getattr(a, n) in SATISFIED for n, _l in ASPECTS))
    rows.append((_("综合满意率（各项均满意）"),
                 f"{100 * every / len(answers):.1f}%" if answers else "—"))
    return rows, len(answers)


def _timeliness(submitted_on, due):
    late = (submitted_on - due).days
    return _("按期（%(due)s 前）", due=due.isoformat()) if late <= 0 else \
        _("逾期 %(n)s 天（应于 %(due)s 前）", n=late, due=due.isoformat())


# --- the half-year report

def check_report(report):
    """A half year that has begun, with answers, reported once per unit."""
    period = _period(report, "period", HALF, "2026-H2")
    start, _end, _due = half_bounds(period)
    if start > clock.today():
        raise RuleError("period", _("调查期尚未开始"))
    if not figures(*half_bounds(period)[:2])[1]:
        raise RuleError("period", _("本期尚无调查问卷，请先登记问卷"))
    report.department = report.department.strip()
    if _others(SatisfactionReport, report, SatisfactionReport.period == period,
               SatisfactionReport.department == report.department).exists():
        raise RuleError("period", _("%(department)s 本期已有汇报", department=report.department))


def report_facts(report):
    if not HALF.match(report.period or ""):
        return []
    start, end, due = half_bounds(report.period)
    rows, _count = figures(start, end)
    return rows + [(_("应交日期"), due.isoformat()),
                   (_("报送情况"), _timeliness(report.submitted_on, due))]


def approve_report(report, user):
    """报送企业领导审批: the GM or the deputy."""
    from blueprints.complaints.approval import deputy
    from services import settings as settings_service
    named = deputy(settings_service.load())
    if user.role != GM and (named is None or named.id != user.id):
        raise RuleError(None, _("须由总经理或主管副总审批"))
    report.approved_by, report.approved_at = user.id, now()


def report_standing(report):
    return _("已审批") if report.approved_at else _("待企业领导审批")


# --- the quarterly review of follow-up work

def check_review(review):
    """A quarter in its last month or later, reviewed once."""
    quarter = _period(review, "quarter", QUARTER, "2026-Q4")
    _start, end, _due = quarter_bounds(quarter)
    if end.replace(day=1) > clock.today():
        raise RuleError("quarter", _("季度最后一个月起方可汇报"))
    if _others(FollowUpReview, review, FollowUpReview.quarter == quarter).exists():
        raise RuleError("quarter", _("该季度已有汇报"))


def review_facts(review):
    """The quarter's follow-ups: planned, done, on time, and the satisfied share."""
    if not QUARTER.match(review.quarter or ""):
        return []
    start, end, due = quarter_bounds(review.quarter)
    planned = list(FollowUp.live().where(FollowUp.planned_on.between(start, end)))
    done = [f for f in planned if f.done_at is not None]
    rated = [f.satisfaction for f in done if f.satisfaction]
    share = (lambda part, whole: f"{100 * part / whole:.1f}%" if whole else "—")
    return [(_("计划回访"), str(len(planned))), (_("已完成回访"), str(len(done))),
            (_("完成率"), share(len(done), len(planned))),
            (_("满意率（4 分及以上）"), share(sum(1 for s in rated if s >= 4), len(rated))),
            (_("应交日期"), due.isoformat()),
            (_("报送情况"), _timeliness(review.submitted_on, due))]


# --- what is waiting to be filed

# Whether two half years' reports and a quarter's review are filed: one query, written once.
# How many reports a half year has, reviews a quarter: read with the home page's other counts
# (Later).
_REPORT_FILED = Prepared(lambda period: SatisfactionReport.select(fn.COUNT(SQL("1"))).where(
    SatisfactionReport.not_voided() & (SatisfactionReport.period == period)))
_REVIEW_FILED = Prepared(lambda quarter: FollowUpReview.select(fn.COUNT(SQL("1"))).where(
    FollowUpReview.not_voided() & (FollowUpReview.quarter == quarter)))


def waiting(today):
    """[(title, period, due, overdue)]: reports and reviews not filed whose time has come: a
    half year's from 30 days before it ends, a quarter's once it has ended; overdue after the
    due day."""
    return read_later([waiting_later(today)])[0]


def waiting_later(today):
    """waiting(today) as a Later (the home page reads it with its other counts)."""
    this = half_of(today)
    halves = [half_of(half_bounds(this)[0] - datetime.timedelta(days=1)), this]
    previous = quarter_of(quarter_bounds(quarter_of(today))[0] - datetime.timedelta(days=1))

    def found(first_filed, second_filed, review_filed):
        rows = []
        for period, done in zip(halves, (first_filed, second_filed)):
            _start, end, due = half_bounds(period)
            if today >= end - datetime.timedelta(days=PENDING_DAYS) and not done:
                rows.append((_l("用户满意率调查汇报"), period, due, today > due))
        if not review_filed:
            due = quarter_bounds(previous)[2]
            rows.append((_l("回访工作总体评定汇报"), previous, due, today > due))
        return sorted(rows, key=lambda row: row[2])
    return later_all([_REPORT_FILED.later(halves[0]), _REPORT_FILED.later(halves[1]),
                      _REVIEW_FILED.later(previous)], found)


def home_tiles(user, today):
    if user.role not in (MANAGER, GM):
        return []
    rows = waiting_later(today)

    def count(overdue):
        return later_all([rows], lambda found: sum(1 for row in found if row[3] == overdue))
    return [("registers.entries", _l("待交的调查汇报"), lambda: count(False),
             {"slug": "satisfaction-reports"}, False),
            ("registers.entries", _l("逾期未交的调查汇报"), lambda: count(True),
             {"slug": "satisfaction-reports"}, True)]
