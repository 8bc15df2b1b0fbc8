"""Issue 23: long work as queued jobs — files in the database, the asker's permissions and
language in the consumer, and nothing left "running" when a consumer dies mid-way."""
import datetime
import json

from openpyxl import load_workbook

from models import AccessLog, Job, StoredFile, clock
from services import accounts, files, jobs
from tests.conftest import finished_job


def _read(body):
    import io
    return [[c.value for c in row] for row in load_workbook(io.BytesIO(body)).active.iter_rows()]


def test_a_long_export_is_done_as_the_asker_and_kept_in_the_database(app, login, make_customer,
                                                                     database, tmp_path):
    for n in range(3):
        make_customer(name=f"客户{n}")
    app.config["EXPORT_INLINE_ROWS"] = 2
    manager = login("manager")
    manager.client.get("/lang/en")
    started = manager.get("/archives/export?q=%E5%AE%A2%E6%88%B7")  # (as browsers send it)
    token = finished_job(started.location)
    job = Job.get(Job.token == token)
    assert job.kind == "export" and job.state == "done" and job.attempts == 1
    # What the consumer needs to ask again: the list's address and the language, nothing else.
    assert json.loads(job.params) == {"path": "/archives/export?q=%E5%AE%A2%E6%88%B7",
                                      "locale": "en"}
    stored = StoredFile.get(StoredFile.key == f"jobs/{token}")
    rows = _read(bytes(stored.data))
    assert rows[0][0] == "Name" and sorted(r[0] for r in rows[1:]) == ["客户0", "客户1", "客户2"]
    assert not list(tmp_path.rglob("*.xlsx"))  # nothing on one server's disk
    download = manager.get(f"/jobs/{token}/file")
    assert _read(download.get_data()) == rows
    log = AccessLog.get(AccessLog.action == "export")
    assert log.user.username == "manager" and log.reason == "q=%E5%AE%A2%E6%88%B7"


def test_an_export_job_keeps_to_the_askers_permissions_when_it_runs(app, users, database):
    """Asked for by a user who is switched off before the consumer takes it: refused, no file."""
    job = Job.create(token="a" * 24, kind="export", user=users["manager"].id, total=9,
                     params=json.dumps({"path": "/archives/export", "locale": "zh"}))
    accounts.set_active(users["manager"], False, actor=users["gm"])
    with app.app_context():
        assert jobs.run(job) == jobs.FAILED
    job = Job.get_by_id(job.id)
    assert job.state == "failed" and "停用" in job.message
    assert not files.exists(f"jobs/{job.token}")
    # A role without the list: refused as well (the desk may not export the audit trail).
    other = Job.create(token="b" * 24, kind="export", user=users["desk"].id,
                       params=json.dumps({"path": "/audit/export", "locale": "zh"}))
    with app.app_context():
        assert jobs.run(other) == jobs.FAILED
    assert "权限" in Job.get_by_id(other.id).message
    assert AccessLog.select().count() == 0


def test_a_job_is_done_once_however_often_its_task_arrives(app, login, database):
    app.config["PDF_WAIT_SECONDS"] = 0
    manager = login("manager")
    token = finished_job(manager.get("/complaints/stats/print?month=2026-10").location)
    job = Job.get(Job.token == token)
    assert job.state == "done"
    with app.app_context():
        assert jobs.run(job) is None  # a second delivery of the task: claimed already
    assert Job.get_by_id(job.id).attempts == 1
    # The pages it typeset were its input: let go once the PDF is kept.
    assert [f.key for f in StoredFile.select()] == [f"jobs/{token}"]


def test_work_cut_off_by_a_dead_consumer_is_taken_up_again_or_failed(app, users, database):
    """A consumer killed mid-way leaves rows "queued" or "running" with no progress. The
    minute's sweep takes a repeatable job up again (here at once: tests run tasks in-process)
    and fails the rest with a reason; nothing stays "running"."""
    late = clock.now() - jobs.STALE_AFTER - datetime.timedelta(minutes=1)
    files.put("pdf-input/x", json.dumps(["<p>Follow-up record 42</p>"]).encode())

    def job(token, kind, state, attempts, params):
        record = Job.create(token=token * 24, kind=kind, user=users["manager"].id, state=state,
                            attempts=attempts, params=json.dumps(params))
        Job.update(updated_at=late).where(Job.id == record.id).execute()
        return record
    pdf = job("a", "pdf", "running", 1, {"input": "pdf-input/x", "file": "x.pdf"})
    lost = job("b", "pdf", "queued", 0, {"input": "pdf-input/y", "file": "y.pdf"})
    tried = job("c", "pdf", "running", jobs.ATTEMPTS, {"input": "pdf-input/z", "file": "z.pdf"})
    upload = job("d", "import", "running", 1, {"token": "d" * 24})
    fresh = Job.create(token="e" * 24, kind="pdf", state="running", attempts=1)
    with app.app_context():
        assert jobs.sweep() == (2, 2)
    state = {j.token[0]: (j.state, j.attempts) for j in Job.select()}
    assert state["a"] == ("done", 2)  # typeset again from its kept input
    assert state["b"] == ("failed", 1)  # taken up, but its input was gone: failed with why
    assert state["c"] == ("failed", jobs.ATTEMPTS) and state["d"] == ("failed", 1)
    assert state["e"] == ("running", 1)  # still making progress: left alone
    assert Job.get_by_id(tried.id).message == jobs.INTERRUPTED
    assert Job.get_by_id(upload.id).message == jobs.INTERRUPTED
    assert Job.get_by_id(lost.id).message == "要排版的内容已不在，请重新打印"
    assert "Follow-up record 42" in _pdf_text(bytes(files.get(f"jobs/{pdf.token}").data))
    assert Job.get_by_id(fresh.id).state == "running"


def _pdf_text(body):
    import io

    from pypdf import PdfReader
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


def test_db_upgrade_moves_uploads_on_disk_into_the_database(app, login, make_customer, database,
                                                            tmp_path):
    """An older install kept archive documents and the logo under instance/uploads: upgrading
    moves them into the database, and they download as before."""
    from blueprints.archives import documents
    from models import Document
    customer = make_customer()
    folder = tmp_path / "uploads"
    (folder / "documents").mkdir(parents=True)
    (folder / "documents" / "0123abcd.pdf").write_bytes(b"%PDF-1.4 old contract")
    (folder / "logo").write_bytes(b"\x89PNG\r\n\x1a\n old logo")
    Document.create(customer=customer, section="unit", title="合同", filename="合同.pdf",
                    content_type="application/pdf", size=21, stored_as="0123abcd.pdf")
    result = app.test_cli_runner().invoke(args=["db", "upgrade"])
    assert "2 uploaded files moved into the database" in result.output
    assert not [p for p in folder.rglob("*") if p.is_file()]
    assert bytes(files.get(documents.key_of("0123abcd.pdf")).data) == b"%PDF-1.4 old contract"
    from services import settings as settings_service
    settings_service.store({"logo": "png"}, actor=None)
    manager = login("manager")
    document = Document.get()
    assert manager.get(f"/archives/documents/{document.id}").get_data() == \
        b"%PDF-1.4 old contract"
    assert manager.get("/admin/logo").get_data() == b"\x89PNG\r\n\x1a\n old logo"


def test_a_stored_file_is_replaced_not_duplicated(database):
    files.put("logo", b"\x89PNG old", "image/png")
    files.put("logo", b"\xff\xd8\xff new", "image/jpeg")
    assert [(f.key, bytes(f.data), f.size, f.content_type) for f in StoredFile.select()] == [
        ("logo", b"\xff\xd8\xff new", 7, "image/jpeg")]
    files.delete("logo")
    assert files.get("logo") is None and not files.exists("logo")
