"""Platform records every module shares: serial counters, settings, audit, access log, timeline."""
from enum import StrEnum

from peewee import (
    SQL,
    BigIntegerField,
    BlobField,
    BooleanField,
    CharField,
    FloatField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.i18n import lazy_gettext as _l

from .base import BaseModel, DateField, DateTimeField, Voidable, label_of, now
from .users import User


class SerialCounter(BaseModel):
    """The last number issued for one kind of serial in one period (YYYYMM, or '' for global)."""

    kind = CharField(max_length=10)
    period = CharField(max_length=6)
    last = IntegerField(default=0)

    class Meta:
        indexes = ((("kind", "period"), True),)


class Setting(BaseModel):
    """One admin setting, stored as JSON text; defaults live in services.settings."""

    record_name = _l("系统设置")

    key = CharField(max_length=60, unique=True)
    value = TextField()
    # A random number drawn at each change: the sum over all rows identifies the settings'
    # state, so each process keeps them cached and reads them again only when it moves.
    revision = BigIntegerField(default=0, constraints=[SQL("DEFAULT 0")])


class AuditEntry(BaseModel):
    """Who created, changed, voided or restored what, with the values before and after."""

    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="audit_entries", on_delete="SET NULL")
    action = CharField(max_length=20, index=True)
    model = CharField(max_length=40)
    record_id = IntegerField()
    label = CharField(max_length=200, default="")
    before = TextField(default="{}")
    after = TextField(default="{}")

    class Meta:
        indexes = ((("model", "record_id"), False),)


class AccessLog(BaseModel):
    """查阅登记: every reveal of a full number, print, export, download and confidential opening."""

    at = DateTimeField(default=now, index=True)
    user = ForeignKeyField(User, null=True, backref="access_entries", on_delete="SET NULL")
    action = CharField(max_length=20, index=True)
    model = CharField(max_length=40)
    record_id = IntegerField(null=True)
    label = CharField(max_length=200, default="")
    detail = CharField(max_length=200, default="")
    reason = CharField(max_length=500, default="")


class LoginFailure(BaseModel):
    """A refused sign-in from an address: too many in a short time and the address must wait."""

    address = CharField(max_length=64)
    at = DateTimeField(default=now)

    class Meta:
        indexes = ((("address", "at"), False),)


class RateHit(BaseModel):
    """One request counted against a per-address rate limit (services/ratelimits.py): the
    limit's key, when it came and when it stops counting (seconds since the epoch)."""

    key = CharField(max_length=200)
    at = FloatField()
    expires = FloatField(index=True)

    class Meta:
        indexes = ((("key", "at"), False),)


class Holiday(Voidable):
    """节假日: a day the State Council's yearly schedule (调休) makes a day off, or a make-up
    working day, entered by the administrator; it overrides the calendar library and the
    computed statutory holidays."""

    record_name = _l("节假日登记")

    day = DateField(index=True)
    workday = BooleanField(default=False)  # True: a make-up working day (调休上班)
    name = CharField(max_length=40, default="")
    source = CharField(max_length=200, default="")

    def label(self):
        return f"{self.day.isoformat()} {self.name}"


class Submission(BaseModel):
    """A create form's one-time key, claimed by its first submit in the same transaction as
    the record it makes; a second submit of that form is sent where the first one went."""

    key = CharField(max_length=64, unique=True)
    user = IntegerField(null=True)
    location = CharField(max_length=300, default="")


class WorkState(StrEnum):
    """Where a job or a duty's run stands (stored)."""
    QUEUED = "queued"
    RUNNING = "running"
    DONE = "done"
    FAILED = "failed"


UNFINISHED = (WorkState.QUEUED, WorkState.RUNNING)  # a job still to be (or being) done
WORK_STATES = {WorkState.QUEUED: _l("排队中"), WorkState.RUNNING: _l("执行中"),
               WorkState.DONE: _l("完成"), WorkState.FAILED: _l("失败")}


class Job(BaseModel):
    """Long work (an import, a large export) that reports progress and can be left and revisited."""

    secret_fields = ("token",)

    token = CharField(max_length=32, unique=True)
    kind = CharField(max_length=20)
    # What the job works on when it must run once only (an uploaded file's token).
    source = CharField(max_length=64, null=True, unique=True)
    user = ForeignKeyField(User, null=True, backref="jobs", on_delete="SET NULL")
    state = CharField(max_length=10, default=WorkState.QUEUED)
    total = IntegerField(default=0)
    done = IntegerField(default=0)
    message = CharField(max_length=300, default="")
    result = TextField(default="{}")
    finished_at = DateTimeField(null=True)
    # What the job's task needs to do it again in any consumer (services.jobs), and how many
    # times a consumer has taken it up.
    params = TextField(default="{}", constraints=[SQL("DEFAULT '{}'")])
    attempts = IntegerField(default=0, constraints=[SQL("DEFAULT 0")])

    @property
    def in_progress(self):
        """Queued or running: its page keeps asking."""
        return self.state in UNFINISHED

    @property
    def succeeded(self):
        return self.state == WorkState.DONE


class StoredFile(BaseModel):
    """Bytes any app server can serve: uploads (archive documents, the logo, a spreadsheet to
    import) and what jobs produce, kept in the database rather than on one server's disk."""

    key = CharField(max_length=120, unique=True)
    content_type = CharField(max_length=100, default="application/octet-stream")
    size = IntegerField(default=0)
    data = BlobField()


class DutyRun(BaseModel):
    """One run of a scheduled duty (services.duties) for one period: written before the work, so
    each duty runs once per period however many consumers tick."""

    record_name = _l("定时任务记录")

    duty = CharField(max_length=40)
    period = CharField(max_length=40)
    state = CharField(max_length=10, default=WorkState.RUNNING)
    started_at = DateTimeField(default=now)
    finished_at = DateTimeField(null=True)
    detail = TextField(default="")

    state_label = label_of("state", WORK_STATES)

    @property
    def succeeded(self):
        return self.state == WorkState.DONE

    @property
    def failed(self):
        return self.state == WorkState.FAILED

    class Meta:
        indexes = ((("duty", "period"), True), (("duty", "started_at"), False))


class ReportSignoff(BaseModel):
    """A manager's sign-off of a month's report: the complaint statistics confirmed (by the
    10th), the VIP monthly report submitted (by the 2nd). One per report and month."""

    record_name = _l("报表确认")

    report = CharField(max_length=30)
    period = CharField(max_length=7)  # YYYY-MM
    user = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    at = DateTimeField(default=now)

    class Meta:
        indexes = ((("report", "period"), True),)
