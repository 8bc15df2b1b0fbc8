"""Excel import of customers and VIP members: upload, map columns, preview, import all or none."""
import re
import secrets

from flask import abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helpers import (
    file_response,
    record_id,
    render,
    show_form,
)
from models import Job, User, db
from services import exports, files, jobs
from services import settings as settings_service

from . import bp
from . import importing as imports
from .forms import ImportForm

KINDS = ("customers", "members")


def _kind():
    kind = request.values.get("kind", "customers")
    if kind not in KINDS:
        abort(404)
    return kind


def _key(token):
    """Where an uploaded sheet waits (among the stored files) until it is imported."""
    if not re.fullmatch(r"[0-9a-f]{24}", token):
        abort(404)
    return f"imports/{token}.xlsx"


@bp.route("/import", methods=["GET", "POST"])
def import_start():
    """Upload the office's spreadsheet of customers or members."""
    kind = _kind()
    form = ImportForm()
    if form.validate_on_submit():
        data = form.file.data.read()
        try:
            imports.read_sheet(data)
        except imports.SheetError as refused:
            form.file.errors = list(form.file.errors) + [str(refused)]
            return show_form("archives/import.html", form, kind=kind)
        token = secrets.token_hex(12)
        files.put(_key(token), data, exports.XLSX)
        return redirect(url_for("archives.import_preview", token=token, kind=kind))
    return show_form("archives/import.html", form, kind=kind)


@bp.route("/import/template")
def import_template():
    """An empty workbook with the expected headers."""
    kind = _kind()
    return file_response(imports.template(kind), exports.XLSX, f"{kind}-template.xlsx")


def _load(token, kind):
    stored = files.get(_key(token))
    if stored is None:
        abort(404)
    headers, rows = imports.read_sheet(bytes(stored.data))
    mapping = imports.guess_mapping(headers, kind)
    for field, _label in imports.FIELDS[kind]:
        chosen = request.values.get(f"map_{field}")
        if chosen == "":
            mapping.pop(field, None)
        elif record_id(chosen) is not None and record_id(chosen) < len(headers):
            mapping[field] = record_id(chosen)
    return headers, rows, mapping


@bp.route("/import/<token>")
def import_preview(token):
    """The guessed columns (changeable) and every row's problems, before anything is saved."""
    kind = _kind()
    headers, rows, mapping = _load(token, kind)
    checked, problems = imports.check(rows, mapping, kind)
    valid = sum(1 for r in checked or [] if not r.errors)
    return render("archives/import_preview.html", "archives/_import_rows.html", kind=kind,
                  token=token, headers=headers, mapping=mapping, rows=checked or [],
                  problems=problems, valid=valid, fields=imports.FIELDS[kind])


@bp.route("/import/<token>/run", methods=["POST"])
def import_run(token):
    """Import every valid row in one transaction (all or none), as a job with a progress bar."""
    from blueprints.core.forms import ButtonForm
    kind = _kind()
    if not ButtonForm().validate_on_submit():
        abort(400)
    started = Job.get_or_none(Job.source == token)
    if started is not None:
        return redirect(url_for("core.job", token=started.token))
    _headers, rows, mapping = _load(token, kind)
    # One job per upload: pressing again (a double tap, a second tab) shows the job that runs.
    job = jobs.start("import", current_user, {"token": token, "kind": kind, "mapping": mapping,
                                              "locale": str(get_locale())},
                     total=len(rows), source=token)
    flash(_("导入已开始"), "info")
    return redirect(url_for("core.job", token=job.token))


@jobs.handler("import", repeatable=False)
def import_job(job, params):
    """The "import" job: every valid row of the uploaded sheet in one transaction, the sheet
    let go with it (all or none: a run cut off saves nothing and keeps the sheet)."""
    key = _key(params["token"])
    stored = files.get(key)
    if stored is None:
        raise ValueError(_("这份表格已经导入过或已被删除"))
    _headers, rows = imports.read_sheet(bytes(stored.data))
    mapping = {field: int(column) for field, column in params["mapping"].items()}
    checked, problems = imports.check(rows, mapping, params["kind"])
    if problems:
        raise ValueError("；".join(problems))
    valid = [r for r in checked if not r.errors]
    jobs.progress(job, 0, total=len(valid), message=_("正在保存"))
    with db.atomic():
        saved = imports.apply(checked, params["kind"], User.get_by_id(job.user_id),
                              settings_service.load())
        files.delete(key)
    return {"saved": saved, "skipped": len(checked) - saved}
