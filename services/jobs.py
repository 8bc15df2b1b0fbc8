"""Long work (exports, imports, long PDFs) as queued tasks, with progress kept in the database
(the job page polls it) and the result among the stored files, so that any app server shows the
progress and serves the file.

A job is a row (Job) and a task naming it. What the work is comes from a handler registered
under the job's kind; the row's params are all the handler needs, so any consumer can do it, and
do it again. A consumer killed mid-way leaves the row "running" with no progress: `sweep` (every
minute, with the scheduled duties) queues it once more when its handler is safe to repeat, and
marks it failed otherwise. Nothing is left "running".
"""
import datetime
import json
import logging
import secrets

from flask_babel import force_locale
from peewee import IntegrityError

from models import Job, db, now
from models.i18n import N_
from models.platform import UNFINISHED, WorkState

from . import files, tasks

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = (WorkState.QUEUED, WorkState.RUNNING, WorkState.DONE,
                                 WorkState.FAILED)
# No progress for this long: the consumer doing it has gone.
STALE_AFTER = datetime.timedelta(minutes=30)
ATTEMPTS = 2  # a repeatable job is taken up at most this often
HANDLERS = {}  # kind -> (work(job, params) -> result dict, repeatable)


def handler(kind, repeatable=True):
    """Declare the work for jobs of `kind`. `repeatable`: doing it twice changes nothing (a
    file built again), so an interrupted run may simply be run again."""
    def register(work):
        HANDLERS[kind] = (work, repeatable)
        return work
    return register


def start(kind, user, params, total=0, source=None):
    """Queue a job of `kind` with `params` (JSON) for `user`; its handler does the work.

    `source` names what the job works on when it must run only once (an upload): starting it
    again returns the job already made for it, without queueing anything."""
    try:
        with db.atomic():
            job = Job.create(token=secrets.token_hex(12), kind=kind, total=total, source=source,
                             user=user.id if user else None,
                             params=json.dumps(params, ensure_ascii=False))
    except IntegrityError:
        return Job.get(Job.source == source)
    run_task(job.id)
    return Job.get_by_id(job.id)  # (in tests the task has run by now: the row as it stands)


@tasks.task(retries=5, retry_delay=2, context=True)
def run_task(job_id, task=None):
    job = Job.get_or_none(Job.id == job_id)
    if job is None:  # queued inside a transaction not yet committed (see channels.deliver_task)
        raise LookupError(f"job {job_id} not committed yet")
    return run(job)


def run(job):
    """Do a queued job once: claim it (another consumer holding it wins), do it, record the
    outcome. The work's exception fails the job with its message; nothing half-done is kept."""
    claimed = Job.update(state=RUNNING, attempts=Job.attempts + 1, updated_at=now()).where(
        (Job.id == job.id) & (Job.state == QUEUED)).execute()
    if not claimed:
        return None
    work, _ = HANDLERS[job.kind]
    params = json.loads(job.params or "{}")
    failure = None
    try:
        with force_locale(params.get("locale") or "zh"):  # (the asker's language)
            result = work(job, params)
    except Exception as error:  # the job page shows it
        log.exception("job %s failed", job.token)
        failure = str(error)[:300]
    # (Recorded once the work's frames are gone: a read it left open, which SQLite would not
    # let this connection write past, is closed with them.)
    if failure is not None:
        _finish(job, FAILED, message=failure)
        return FAILED
    _finish(job, DONE, done=Job.total, result=json.dumps(result, ensure_ascii=False))
    return DONE


def _finish(job, state, **values):
    """The outcome on the row; the job's input file (params "input"), if any, is let go."""
    Job.update(state=state, finished_at=now(), updated_at=now(), **values).where(
        Job.id == job.id).execute()
    key = json.loads(job.params or "{}").get("input")
    if key:
        files.delete(key)


def progress(job, done, total=None, message=""):
    """Report how far the work has come (a separate short write, outside the work's
    transaction); it also shows the job is alive."""
    values = {"done": done, "message": str(message)[:300], "updated_at": now()}
    if total is not None:
        values["total"] = total
    Job.update(**values).where(Job.id == job.id).execute()


def result_of(job):
    return json.loads(job.result or "{}")


def state_of(job):
    return Job.select(Job.state).where(Job.id == job.id).scalar()


def _key(token):
    return f"jobs/{token}"


def save_file(job, body, content_type):
    """Keep the bytes a job produced, under its token."""
    files.put(_key(job.token), body, content_type)


def finished_file(token):
    """The StoredFile a job left, or None."""
    return files.get(_key(token))


INTERRUPTED = N_("中断：处理它的后台进程停止了，请重新开始")


def sweep(at=None):
    """Jobs whose consumer has gone (no progress for STALE_AFTER). A queued one is queued
    again (its task was lost); a running one is run again when it is repeatable and has
    attempts left, and marked failed otherwise. Returns (queued again, failed)."""
    cutoff = (at or now()) - STALE_AFTER
    requeued = failed = 0
    stale = Job.select().where(Job.state.in_(UNFINISHED) & (Job.updated_at < cutoff))
    for job in stale:
        _, repeatable = HANDLERS.get(job.kind, (None, False))
        still = (Job.id == job.id) & (Job.state == job.state) & (Job.updated_at == job.updated_at)
        if job.state == QUEUED or (repeatable and job.attempts < ATTEMPTS):
            if Job.update(state=QUEUED, updated_at=now()).where(still).execute():
                run_task(job.id)
                requeued += 1
        elif Job.update(state=FAILED).where(still).execute():
            _finish(job, FAILED, message=INTERRUPTED)
            failed += 1
    return requeued, failed
