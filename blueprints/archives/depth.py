"""Archive depth: document sections, confidentiality, grading, contacts, and the rule lists."""
from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.core.forms import ButtonForm, ReasonForm
from blueprints.helpers import (
    excel_response,
    file_response,
    get_or_404,
    once_per_form,
    pdf_response,
    render,
    sheet_response,
    show_form,
    site_settings,
)
from models import Customer, Document, GradeEvaluation, User, now
from models.archives import PENDING, SECTIONS
from models.base import literal
from models.customers import CREDIT_GRADES
from models.i18n import lazy_gettext as _l
from models.masking import mask_phone
from services import audit, files

from . import bp, documents, grading, ownership, service
from . import contact_duties as rank_duties
from .forms import ContactLogForm, DocumentForm, EvaluationForm


@bp.route("/<int:id>/documents", methods=["POST"])
@once_per_form
def document_upload(id):
    """Upload a document into one of the archive's sections."""
    customer = get_or_404(Customer, id)
    form = DocumentForm()
    if form.validate_on_submit():
        settings = site_settings()
        if not documents.may_open(form.section.data, current_user.role, settings):
            abort(403)
        upload = form.file.data
        try:
            documents.store(customer, form.section.data, form.title.data, upload.filename,
                            upload.read(), int(settings["upload_max_mb"]) << 20,
                            current_user)
        except documents.UploadError as refused:
            form.file.errors = list(form.file.errors) + [str(refused)]
            return show_form("archives/documents.html", form, customer=customer,
                             sections=_visible_sections(customer))
        flash(_("已上传"), "success")
        return redirect(url_for("archives.documents_view", id=id))
    return show_form("archives/documents.html", form, customer=customer,
                     sections=_visible_sections(customer))


def _visible_sections(customer, opened=None):
    """(key, label, confidential, documents or None when this role may not see them)."""
    settings = site_settings()
    result = []
    for key, label in SECTIONS.items():
        confidential = key in settings["confidential_sections"]
        allowed = documents.may_open(key, current_user.role, settings)
        rows = None
        if allowed and (not confidential or key == opened):
            rows = list(customer.documents.where(Document.section == key,
                                                 Document.not_voided()))
        result.append((key, label, confidential, allowed, rows))
    return result


@bp.route("/<int:id>/documents")
def documents_view(id):
    """The archive's sections; confidential ones open one at a time, and each opening is logged."""
    customer = get_or_404(Customer, id)
    opened = request.args.get("open")
    if opened in SECTIONS and opened in site_settings()["confidential_sections"]:
        if not documents.may_open(opened, current_user.role, site_settings()):
            abort(403)
        reason = ReasonForm(request.args, meta={"csrf": False})
        if not reason.validate():
            # 查阅程序: a confidential section opens only with the reason on record.
            flash(_("打开保密栏目须填写查阅原因。"), "error")
            opened = None
        else:
            audit.log_access(current_user, audit.OPEN, obj=customer, detail=opened,
                             reason=reason.reason.data.strip())
    return render("archives/documents.html", customer=customer, form=DocumentForm(),
                  sections=_visible_sections(customer, opened))


@bp.route("/documents/<int:doc_id>")
def document_download(doc_id):
    """A document, only through the app and only for allowed roles; every download is logged."""
    document = get_or_404(Document, doc_id)
    if document.voided or not documents.may_open(document.section, current_user.role,
                                                 site_settings()):
        abort(403)
    stored = files.get(documents.key_of(document.stored_as))
    if stored is None:
        abort(404)
    audit.log_access(current_user, audit.DOWNLOAD, obj=document, detail=document.filename)
    return file_response(bytes(stored.data), document.content_type, document.filename)


@bp.route("/<int:id>/contacts-log", methods=["POST"])
@once_per_form
def contact_log(id):
    """Log a call or other contact (counts for the contact rules)."""
    customer = get_or_404(Customer, id)
    form = ContactLogForm()
    if form.validate_on_submit():
        ownership.log_contact(customer, current_user, form.method.data, form.note.data.strip())
        flash(_("已记录联系"), "success")
    else:
        flash(_("请填写联系内容"), "error")
    return redirect(url_for("archives.detail", id=id))


@bp.route("/<int:id>/evaluate", methods=["GET", "POST"])
def evaluate(id):
    """Sales proposes a grade with its figures (yearly in the window, or provisional)."""
    customer = get_or_404(Customer, id)
    form = EvaluationForm()
    if form.validate_on_submit():
        figures = {name: getattr(form, name).data or ("" if name != "annual_sales" else None)
                   for name in ("annual_sales", "price_level", "payment_record", "cooperation",
                                "credit")}
        try:
            grading.propose(customer, current_user, site_settings(), form.tier.data,
                            form.grade.data, provisional=form.provisional.data, **figures)
        except grading.GradingError as refused:
            form.tier.errors = list(form.tier.errors) + [str(refused)]
            return show_form("archives/evaluate.html", form, customer=customer)
        flash(_("已提交评级，待销售主管审核"), "success")
        return redirect(url_for("archives.detail", id=id))
    return show_form("archives/evaluate.html", form, customer=customer,
                     history=list(customer.evaluations.order_by(GradeEvaluation.id.desc())))


@bp.route("/evaluations/<int:eid>/print")
def evaluation_print(eid):
    """客户质量等级评定表: one evaluation with its figures and who proposed, reviewed and
    approved it (seed 000 9.1)."""
    evaluation = get_or_404(GradeEvaluation, eid)

    def who(user, at):
        return f"{user.display_name} {at:%Y-%m-%d}" if user and at else ""
    facts = [(_("客户"), evaluation.customer.name), (_("年度"), str(evaluation.year)),
             (_("客户分级"), str(evaluation.tier_label)), (_("等级"), evaluation.grade),
             (_("资信等级"), str(CREDIT_GRADES.get(evaluation.credit, "—"))),
             (_("暂定评级"), _("是") if evaluation.provisional else _("否")),
             (_("年销售额（元）"), f"{evaluation.annual_sales:.2f}"
              if evaluation.annual_sales is not None else ""),
             (_("价格水平"), evaluation.price_level), (_("回款记录"), evaluation.payment_record),
             (_("合作情况"), evaluation.cooperation),
             (_("提出"), who(evaluation.proposed_by, evaluation.proposed_at)),
             (_("销售主管审核"), who(evaluation.reviewed_by, evaluation.reviewed_at)),
             (_("总经理批准"), who(evaluation.approved_by, evaluation.approved_at)),
             (_("状态"), str(evaluation.state_label))]
    return pdf_response("print/register_entry.html", f"客户质量等级评定表-{eid}.pdf",
                        record=evaluation, title=_("客户质量等级评定表"),
                        number=str(evaluation.year), facts=facts, extra=[], state=None,
                        signs=[_("销售科长/经理"), _("销售部长"), _("总经理")], signature=None)


STEPS = {"review": grading.review, "approve": grading.approve}


@bp.route("/evaluations/<int:eid>/<step>", methods=["POST"])
def evaluation_step(eid, step):
    """The sales head reviews, the GM approves, either may send it back."""
    evaluation = get_or_404(GradeEvaluation, eid)
    if step not in ("review", "approve", "reject") or not ButtonForm().validate_on_submit():
        abort(400)
    comment = request.form.get("comment", "").strip()[:500]
    try:
        if step == "reject":
            grading.reject(evaluation, current_user, comment)
        else:
            STEPS[step](evaluation, current_user, comment)
        flash(_("已保存"), "success")
    except grading.GradingError as refused:
        flash(str(refused), "error")
    return redirect(url_for("archives.evaluate", id=evaluation.customer_id))


def _pending_evaluations():
    return list(GradeEvaluation.select().where(GradeEvaluation.state.in_(PENDING))
                .order_by(GradeEvaluation.id))


def _contact_owner():
    return current_user.id if request.args.get("owner") == "me" else None


@bp.route("/rules")
def rules():
    """The lists the archive rules produce: late cards, contacts due, re-evaluations, evaluations."""
    today = now().date()
    return render("archives/rules.html", incomplete=ownership.incomplete_cards(),
                  contacts=ownership.contacts_due(site_settings(), today, _contact_owner()),
                  contacts_total=ownership.count_contacts_due(site_settings(), today,
                                                              _contact_owner()),
                  reevaluate=grading.due_for_reevaluation(today),
                  pending=_pending_evaluations(), mine=request.args.get("owner") == "me",
                  labels=ownership.FIELD_LABELS, today=today)


def _rule_lists():
    """list name → (title, headers, rows thunk, row); each list of the rules page, for export."""
    today = now().date()
    labels = ownership.FIELD_LABELS

    def owner_of(customer):
        return customer.owner.display_name if customer.owner else ""

    def _contact_cells(row):
        customer, last, due = row
        return [customer.name, str(customer.tier_label), owner_of(customer), last, due]
    return {
        "incomplete": (_("资料卡逾期未填齐"), [_("客户"), _("期限"), _("已逾期天数"), _("缺少")],
                       ownership.incomplete_cards,
                       lambda r: [r[0].name, r[1], r[2].days,
                                  "、".join(str(labels[f]) for f in r[3])]),
        "contacts": (_("应联系的客户"), [_("客户"), _("分级"), _("归属"), _("上次联系"),
                                        _("应联系日期")],
                     lambda: ownership.contacts_due_query(site_settings(), today,
                                                          _contact_owner()),
                     lambda c: _contact_cells(ownership.contact_row(site_settings(), c))),
        "reevaluate": (_("待复评"), [_("客户"), _("暂定评级到期")],
                       lambda: grading.due_for_reevaluation(today),
                       lambda c: [c.name, c.provisional_until]),
        "evaluations": (_("评级记录"), [_("客户"), _("年度"), _("暂定"), _("类别"), _("等级"),
                                        _("年销售额"), _("状态"), _("提出人"), _("审批人"),
                                        _("审批时间")],
                        lambda: GradeEvaluation.select().order_by(GradeEvaluation.id.desc()),
                        lambda e: [e.customer.name, e.year, _("是") if e.provisional else "",
                                   e.tier, e.grade, e.annual_sales, str(e.state_label),
                                   e.proposed_by.display_name if e.proposed_by else "",
                                   e.approved_by.display_name if e.approved_by else "",
                                   e.approved_at]),
    }


@bp.route("/rules/export")
def rules_export():
    """One list of the rules page (?list=incomplete|contacts|reevaluate|evaluations) as Excel."""
    lists = _rule_lists()
    name = request.args.get("list", "")
    if name not in lists:
        abort(404)
    title, headers, rows, row = lists[name]
    return excel_response(f"{title}.xlsx", title, headers, rows(), "Customer", row)


@bp.route("/rules/lapse", methods=["POST"])
def lapse():
    """Apply the 2-month rule: phone enquiries never followed by a visit lose their owner."""
    if ButtonForm().validate_on_submit():
        lapsed = ownership.lapse_enquiries(current_user)
        flash(_("%(n)s 位来电客户转为资料（无归属）", n=len(lapsed)), "success")
    return redirect(url_for("archives.rules"))


def _leaver_rows(leaver):
    rows = []
    for change, followup in ownership.leaver_report(leaver):
        rows.append([change.customer.name, change.to_user.display_name, change.reason,
                     f"{change.at:%Y-%m-%d}",
                     f"{followup.planned_on:%Y-%m-%d}" if followup else "",
                     f"{followup.done_at:%Y-%m-%d}" if followup and followup.done_at
                     else _("未回访"),
                     (followup.report or followup.outcome) if followup else ""])
    return rows


LEAVER_HEADERS = (_l("客户"), _l("接手人"), _l("分配原因"), _l("分配日期"), _l("应回访日期"),
                  _l("回访日期"), _l("回访情况（书面报告）"))


@bp.route("/leavers/<int:id>")
def leaver_report(id):
    """离职人员客户分配及回访报告: for the sales head, who handed what on and how it went."""
    leaver = get_or_404(User, id)
    return render("archives/leaver_report.html", leaver=leaver, rows=_leaver_rows(leaver),
                  headers=LEAVER_HEADERS)


@bp.route("/leavers/<int:id>/print")
def leaver_report_print(id):
    leaver = get_or_404(User, id)
    rows = _leaver_rows(leaver)
    done = sum(1 for row in rows if row[5] != _("未回访"))
    return sheet_response("print/register.html", f"离职客户回访报告-{id}.pdf", rows,
                          title=_("离职人员客户分配及回访报告"), period=leaver.display_name,
                          headers=[str(h) for h in LEAVER_HEADERS],
                          signs=[_("制表"), _("销售主管")],
                          totals=[(_("重新分配"), str(len(rows))), (_("已回访"), str(done))])


PROSPECT_TITLES = {"dealer": _l("潜在经销商名录"), "company": _l("潜在单位客户名录"),
                   "resident": _l("潜在住户名录"), "shopper": _l("潜在顾客名录")}


def _prospect_kind():
    kind = request.args.get("kind", "dealer")
    return kind if kind in PROSPECT_TITLES else "dealer"


def _prospect_rows(kind):
    return [[c.name, c.contact_person, mask_phone(c.phone), c.address or c.unit_label, c.source,
             c.owner.display_name if c.owner else "", f"{c.created_at:%Y-%m-%d}",
             f"{c.contacted_at:%Y-%m-%d}" if c.contacted_at else ""]
            for c in service.prospects(kind, current_user).limit(literal(3000))]


PROSPECT_HEADERS = (_l("名称"), _l("联系人"), _l("电话"), _l("地址"), _l("来源"), _l("归属人员"),
                    _l("建档日期"), _l("最近联系"))


@bp.route("/prospects")
def prospects():
    """潜在经销商名录 (and the other kinds' prospects): potential customers, oldest first."""
    kind = _prospect_kind()
    return render("archives/prospects.html", kind=kind, titles=PROSPECT_TITLES,
                  rows=list(service.prospects(kind, current_user).limit(literal(500))))


@bp.route("/prospects/print")
def prospects_print():
    kind = _prospect_kind()
    rows = _prospect_rows(kind)
    return sheet_response("print/register.html", f"{PROSPECT_TITLES[kind]}.pdf", rows,
                          title=str(PROSPECT_TITLES[kind]), period=f"{now():%Y-%m-%d}",
                          headers=[str(h) for h in PROSPECT_HEADERS],
                          signs=[_("制表"), _("销售主管")],
                          totals=[(_("合计"), str(len(rows)))])


@bp.route("/contact-duties")
def contact_duties():
    """联络职责: the calls and visits the signed-in person's rank owes, due and overdue."""
    found = rank_duties.duties(current_user, site_settings(), now().date())
    return render("archives/contact_duties.html",
                  duties=[(duty, duty.rows()) for duty in found])
