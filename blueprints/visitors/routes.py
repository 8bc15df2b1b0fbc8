"""The visitor's own registration, their receipt, and an invitation's link."""
from flask import abort, redirect, request, url_for
from flask_babel import gettext as _
from wtforms import BooleanField, IntegerField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from blueprints import validators
from blueprints.fields import Form
from blueprints.helpers import render, site_settings
from blueprints.limits import limiter
from blueprints.reception import selfreg
from models import VisitRequest
from models.i18n import lazy_gettext as _l

from . import bp

# What one registration can weigh: the form is a few hundred bytes of text.
BODY_LIMIT = 8 * 1024
POST_LIMIT = "6 per minute;40 per hour"
GET_LIMIT = "120 per minute"


class SelfRegistrationForm(Form):
    name = StringField(_l("您的姓名"), validators=[DataRequired(message=_l("请输入姓名")),
                                                   Length(max=40)])
    phone = StringField(_l("手机号码"), validators=[DataRequired(message=_l("请输入手机号码")),
                                                    validators.mobile])
    visitee = StringField(_l("被访住户/单位/人员"), validators=[
        DataRequired(message=_l("请填写被访住户、单位或人员")), Length(max=80)])
    purpose = StringField(_l("来访事由"), validators=[DataRequired(message=_l("请填写来访事由")),
                                                     Length(max=200)])
    plate = StringField(_l("车牌（开车来访时填写）"), validators=[Optional(), validators.plate])
    headcount = IntegerField(_l("人数"), default=1, validators=[
        InputRequired(message=_l("请输入人数")),
        NumberRange(min=1, max=50, message=_l("人数应在 1 到 50 之间"))])
    code = StringField(_l("邀请码（如有）"), validators=[Optional(), Length(max=20)])
    consent = BooleanField(_l("我已阅读并同意上述个人信息处理说明"), validators=[
        DataRequired(message=_l("须同意个人信息处理说明后方可登记"))])


def _form_page(form, status=200):
    return render("public/register.html", status=status, form=form,
                  settings=site_settings())


@bp.route("/", methods=["GET", "POST"])
@limiter.limit(POST_LIMIT, methods=["POST"])
@limiter.limit(GET_LIMIT, methods=["GET"])
def register():
    """The visitor fills in their own entry; it waits at the desk as 待确认."""
    if request.method == "POST":
        request.max_content_length = BODY_LIMIT
        if (request.content_length or 0) > BODY_LIMIT:
            form = SelfRegistrationForm(formdata=None)
            form.form_errors.append(_("提交的内容过长，请精简后重试"))
            return _form_page(form, 413)
    form = SelfRegistrationForm()
    if request.method == "GET" and request.args.get("code"):
        form.code.data = selfreg.tidy_code(request.args["code"])
    if form.validate_on_submit():
        invitation = None
        if form.code.data:
            invitation = selfreg.invitation_for(form.code.data)
            if invitation is None:
                form.code.errors.append(_("邀请码无效或不是今天的邀请"))
                return _form_page(form, 422)
        entry = selfreg.submit(form.name.data, form.phone.data, form.visitee.data,
                               form.purpose.data, form.plate.data or "", form.headcount.data,
                               invitation)
        return redirect(url_for("visitors.receipt", token=entry.token))
    return _form_page(form, 422 if form.is_submitted() else 200)


@bp.route("/i/<code>")
@limiter.limit("20 per minute")
def invited(code):
    """An invitation's link: the form, prefilled with what the invitation says."""
    invitation = selfreg.invitation_for(code)
    form = SelfRegistrationForm(formdata=None)
    if invitation is None:
        form.form_errors.append(_("邀请码无效或不是今天的邀请，请直接填写登记"))
        return _form_page(form, 404)
    form.code.data = invitation.code
    form.name.data = invitation.visitor_name
    form.visitee.data = invitation.visitee
    form.purpose.data = invitation.purpose
    form.headcount.data = invitation.headcount
    return _form_page(form)


@bp.route("/done/<token>")
@limiter.limit(GET_LIMIT)
def receipt(token):
    """The visitor's receipt: the number to give at the desk and where their entry stands."""
    if len(token) > 32:
        abort(404)
    entry = VisitRequest.get_or_none(VisitRequest.token == token)
    if entry is None:
        abort(404)
    return render("public/receipt.html", entry=entry, settings=site_settings())
