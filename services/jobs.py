"""Long work in a background thread with progress kept in the database (htmx polls it)."""
import glob
import json
import logging
import os
import secrets
import threading

from flask import current_app
from peewee import IntegrityError

from models import Job, db, now

log = logging.getLogger(__name__)
QUEUED, RUNNING, DONE, FAILED = "queued", "running", "done", "failed"


def start(kind, user, work, total=0, source=None):
    """Run `work(job)` in a thread; it reports with progress(); the job row survives restarts.

    `source` names what the job works on when it must run only once (an upload): starting it
    again returns the job already made for it, without running anything."""
    try:
        job = Job.create(token=secrets.token_hex(12), kind=kind, user=user.id if user else None,
                         total=total, source=source)
    except IntegrityError:
        return Job.get(Job.source == source)
    job.folder = folder()

    def run():
        with db.connection_context():
            Job.update(state=RUNNING).where(Job.id == job.id).execute()
            try:
                result = work(job)
                Job.update(state=DONE, done=Job.total, result=json.dumps(result,
                                                                         ensure_ascii=False),
                           finished_at=now()).where(Job.id == job.id).execute()
            except Exception as error:  # the job page shows it; nothing half-done is kept
                log.exception("job %s failed", job.token)
                Job.update(state=FAILED, message=str(error)[:300],
                           finished_at=now()).where(Job.id == job.id).execute()

    thread = threading.Thread(target=run, name=f"job-{job.token}", daemon=True)
    thread.start()
    job.thread = thread
    return job


def progress(job, done, total=None, message=""):
    """Report how far the work has come (a separate short write, outside the work's transaction)."""
    values = {"done": done, "message": message[:300]}
    if total is not None:
        values["total"] = total
    Job.update(**values).where(Job.id == job.id).execute()


def result_of(job):
    return json.loads(job.result or "{}")


def folder():
    """Where finished jobs leave their files (inside the instance folder, never under static)."""
    return current_app.config["JOB_FOLDER"]


def save_file(job, body, extension):
    """Keep the bytes a job produced, under its token."""
    os.makedirs(job.folder, exist_ok=True)
    with open(os.path.join(job.folder, f"{job.token}{extension}"), "wb") as handle:
        handle.write(body)


def finished_file(token):
    """(bytes, path) of the file a job left, or None. Call within the app."""
    for path in glob.glob(os.path.join(folder(), f"{token}.*")):
        with open(path, "rb") as handle:
            return handle.read(), path
    return None
