"""Excel import of customers and VIP members: upload, map columns, preview, import all or none."""
import contextlib
import os
import re
import secrets

from flask import abort, current_app, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.helpers import (
    file_response,
    record_id,
    render,
    show_form,
    signed_in_user,
    site_settings,
)
from models import Job
from services import exports, jobs

from . import bp
from . import importing as imports
from .forms import ImportForm

KINDS = ("customers", "members")


def _kind():
    kind = request.values.get("kind", "customers")
    if kind not in KINDS:
        abort(404)
    return kind


def _path(token):
    if not re.fullmatch(r"[0-9a-f]{24}", token):
        abort(404)
    return os.path.join(current_app.config["UPLOAD_FOLDER"], "imports", f"{token}.xlsx")


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
        os.makedirs(os.path.dirname(_path(token)), exist_ok=True)
        with open(_path(token), "wb") as handle:
            handle.write(data)
        return redirect(url_for("archives.import_preview", token=token, kind=kind))
    return show_form("archives/import.html", form, kind=kind)


@bp.route("/import/template")
def import_template():
    """An empty workbook with the expected headers."""
    kind = _kind()
    return file_response(imports.template(kind), exports.XLSX, f"{kind}-template.xlsx")


def _load(token, kind):
    if not os.path.exists(_path(token)):
        abort(404)
    with open(_path(token), "rb") as handle:
        headers, rows = imports.read_sheet(handle.read())
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
    headers, rows, mapping = _load(token, kind)
    actor, settings, path = signed_in_user(), site_settings(), _path(token)

    def work(job):
        checked, problems = imports.check(rows, mapping, kind)
        if problems:
            raise ValueError("；".join(problems))
        valid = [r for r in checked if not r.errors]
        jobs.progress(job, 0, total=len(valid), message=str(_("正在保存")))
        saved = imports.apply(checked, kind, actor, settings)
        with contextlib.suppress(OSError):  # saved is saved: the leftover file changes nothing
            os.remove(path)
        return {"saved": saved, "skipped": len(checked) - saved}

    # One job per upload: pressing again (a double tap, a second tab) shows the job that runs.
    job = jobs.start(f"import-{kind}", current_user, work, total=len(rows), source=token)
    flash(_("导入已开始"), "info")
    return redirect(url_for("core.job", token=job.token))
