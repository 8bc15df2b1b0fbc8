"""User administration and settings."""
from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from blueprints.archives import ownership
from blueprints.complaints import deadlines as complaint_deadlines
from blueprints.core.forms import ButtonForm
from blueprints.helpers import (
    excel_response,
    get_or_404,
    once_per_form,
    record_id,
    render,
    show_form,
    site_settings,
)
from models import Customer, Holiday, ServiceItem, User, clock, db, now
from models.base import literal
from services import accounts, audit, files, workdays
from services import settings as settings_service

from . import bp
from .forms import (
    LOGO_MAX,
    HolidayForm,
    ResetPasswordForm,
    ServiceItemForm,
    SettingsForm,
    UserForm,
    logo_kind,
)


@bp.route("/users")
def users():
    """Every user with role and state."""
    return render("admin/users.html", rows=_users())


def _users():
    return User.select().order_by(User.active.desc(), User.role, User.username)


@bp.route("/users/export")
def users_export():
    """The user list (no password data), as an Excel workbook."""
    def row(u):
        return [u.username, u.display_name, str(u.role_label),
                _("启用") if u.active else _("停用"), u.last_login_at]
    headers = [_("用户名"), _("姓名"), _("角色"), _("状态"), _("最近登录")]
    return excel_response("用户.xlsx", _("用户"), headers, _users(), "User", row)


@bp.route("/users/new", methods=["GET", "POST"])
@once_per_form
def user_new():
    """Add a user."""
    form = UserForm()
    if form.validate_on_submit():
        user = accounts.create_user(form.username.data, form.display_name.data, form.role.data,
                                    form.password.data, actor=current_user,
                                    department=form.department.data or "",
                                    phone=form.phone.data or "")
        flash(_("已添加用户 %(name)s", name=user.display_name), "success")
        return redirect(url_for("admin.users"))
    return show_form("admin/user_form.html", form, user=None)


def _user_or_404(id):
    return get_or_404(User, id)


@bp.route("/users/<int:id>/edit", methods=["GET", "POST"])
def user_edit(id):
    """Change a user's name, role, department or phone."""
    user = _user_or_404(id)
    form = UserForm(obj=user, editing=user)
    if form.validate_on_submit():
        for field in ("username", "display_name", "role", "department", "phone"):
            setattr(user, field, (getattr(form, field).data or "").strip())
        audit.save(user, current_user)
        flash(_("已保存"), "success")
        return redirect(url_for("admin.users"))
    return show_form("admin/user_form.html", form, user=user)


@bp.route("/users/<int:id>/password", methods=["GET", "POST"])
def user_password(id):
    """Reset a user's password; their open sessions end."""
    user = _user_or_404(id)
    form = ResetPasswordForm(user=user)
    if form.validate_on_submit():
        accounts.set_password(user, form.password.data, actor=current_user)
        flash(_("已重置 %(name)s 的密码", name=user.display_name), "success")
        return redirect(url_for("admin.users"))
    return show_form("admin/user_password.html", form, user=user)


@bp.route("/users/<int:id>/toggle", methods=["POST"])
def user_toggle(id):
    """Disable or re-enable a user; disabling ends their sessions."""
    user = _user_or_404(id)
    if ButtonForm().validate_on_submit():
        if user.id == current_user.id:
            flash(_("不能停用自己的账户。"), "error")
        elif user.active and Customer.select().where(Customer.owner == user).exists():
            # Their customers are dealt to the other sales staff first (shown before applied).
            return redirect(url_for("admin.redistribute", id=user.id))
        else:
            accounts.set_active(user, not user.active, actor=current_user)
            flash(_("已启用 %(name)s", name=user.display_name) if user.active
                  else _("已停用 %(name)s", name=user.display_name), "success")
    return redirect(url_for("admin.users"))


@bp.route("/settings", methods=["GET", "POST"])
def settings():
    """Site name, logo, night window and the lists the modules use."""
    form = SettingsForm()
    if form.validate_on_submit():
        upload = form.logo.data
        if upload and getattr(upload, "filename", ""):
            data = upload.read(LOGO_MAX + 1)
            if len(data) > LOGO_MAX or not logo_kind(data):
                form.logo.errors.append(_("标志须为不超过 1 MB 的 PNG 或 JPEG 图片。"))
                return show_form("admin/settings.html", form)
            files.put("logo", data, "image/png" if logo_kind(data) == "png" else "image/jpeg")
        values = form.values()
        if upload and getattr(upload, "filename", ""):
            values["logo"] = logo_kind(data)
        settings_service.store(values, actor=current_user)
        flash(_("设置已保存"), "success")
        return redirect(url_for("admin.settings"))
    if not form.is_submitted():
        form.fill(site_settings())
    return show_form("admin/settings.html", form)


@bp.route("/logo")
def logo():
    """The uploaded logo (kept in the database, outside static)."""
    stored = files.get("logo") if site_settings().get("logo") else None
    if stored is None:
        abort(404)
    return Response(bytes(stored.data), mimetype=stored.content_type)


@bp.route("/service-items", methods=["GET", "POST"])
@once_per_form
def service_items():
    """修理服务项目表: items, standard fees and labour minutes; add one."""
    form = ServiceItemForm()
    if form.validate_on_submit():
        if ServiceItem.get_or_none(ServiceItem.name == form.name.data.strip()):
            form.name.errors.append(_("已有同名项目"))
        else:
            audit.save(ServiceItem(name=form.name.data.strip(), fee=form.fee.data,
                                   labour_minutes=form.labour_minutes.data,
                                   active=form.active.data), current_user)
            flash(_("已添加服务项目"), "success")
            return redirect(url_for("admin.service_items"))
    rows = ServiceItem.select().order_by(ServiceItem.active.desc(), ServiceItem.name)
    return show_form("admin/service_items.html", form, rows=rows)


@bp.route("/service-items/<int:id>", methods=["GET", "POST"])
def service_item_edit(id):
    """Change an item's fee or minutes, or withdraw it (items are never deleted)."""
    item = ServiceItem.get_or_none(ServiceItem.id == id)
    if item is None:
        abort(404)
    form = ServiceItemForm(obj=item)
    if form.validate_on_submit():
        clash = ServiceItem.get_or_none((ServiceItem.name == form.name.data.strip()) &
                                        (ServiceItem.id != id))
        if clash:
            form.name.errors.append(_("已有同名项目"))
        else:
            item.name, item.fee = form.name.data.strip(), form.fee.data
            item.labour_minutes, item.active = form.labour_minutes.data, form.active.data
            audit.save(item, current_user)
            flash(_("已保存"), "success")
            return redirect(url_for("admin.service_items"))
    return show_form("admin/service_item_form.html", form, item=item)


@bp.route("/users/<int:id>/redistribute", methods=["GET", "POST"])
def redistribute(id):
    """Before a leaver is disabled: their customers dealt evenly, each new owner to follow up."""
    user = _user_or_404(id)
    plan, staying = ownership.plan_redistribution(user)
    if request.method == "POST" and plan is None:
        flash(_("没有其他在职销售人员可以接手，请先添加销售人员。"), "error")
    elif request.method == "POST" and ButtonForm().validate_on_submit():
        count = ownership.apply_redistribution(plan, user, current_user)
        accounts.set_active(user, False, actor=current_user)
        flash(_("已停用 %(name)s，%(n)s 位客户已重新分配", name=user.display_name, n=count),
              "success")
        return redirect(url_for("admin.users"))
    return render("admin/redistribute.html", user=user, plan=plan, staying=staying)


def _year():
    """?year= within the calendar's range (2000-2100); this year when missing or out of range."""
    year = record_id(request.args.get("year"))
    return year if year is not None and 2000 <= year <= 2100 else clock.today().year


def _change_calendar(change):
    """Apply `change` to the holiday entries and work out again the open deadlines it moves;
    how many moved. The entries are read anew inside the transaction (for those deadlines) and
    after it (so no other request keeps the old calendar from before the commit)."""
    with db.atomic():
        change()
        workdays.forget_entries()
        moved = complaint_deadlines.recompute_workday_deadlines(now(), current_user)
    workdays.forget_entries()
    return moved


@bp.route("/holidays", methods=["GET", "POST"])
@once_per_form
def holidays():
    """节假日: a year's days off and make-up working days, with where each comes from; the
    administrator enters the State Council's schedule, which overrides the rest."""
    year = _year()
    form = HolidayForm()
    if form.validate_on_submit():
        def enter():
            for old in workdays.entered(form.day.data.year).where(Holiday.day == form.day.data):
                audit.void(old, current_user, _("由新的登记取代"))
            audit.save(Holiday(day=form.day.data, workday=form.workday.data == "1",
                               name=form.name.data.strip(), source=form.source.data.strip()),
                       current_user)
        changed = _change_calendar(enter)
        flash(_("已登记 %(day)s；%(n)s 件投诉的期限已按新日历重算", day=form.day.data.isoformat(),
                n=changed), "success")
        return redirect(url_for("admin.holidays", year=form.day.data.year))
    return show_form("admin/holidays.html", form, year=year, days=workdays.year_calendar(year),
                     covered=workdays.library_covers(year),
                     entries=list(Holiday.select().where(Holiday.day.year == year)
                                  .order_by(Holiday.day)))


@bp.route("/holidays/<int:id>/void", methods=["POST"])
def holiday_void(id):
    """Take back an entry (kept in the audit and the voided records)."""
    entry = get_or_404(Holiday, id)
    if ButtonForm().validate_on_submit():
        _change_calendar(lambda: audit.void(entry, current_user, _("管理员撤销")))
        flash(_("已撤销 %(day)s", day=entry.day.isoformat()), "success")
    return redirect(url_for("admin.holidays", year=entry.day.year))


@bp.route("/duties")
def duties():
    """The scheduled duties: what each does, when, and how its last runs went."""
    from services import duties as duties_service
    return render("admin/duties.html", duties=duties_service.DUTIES.values(),
                  runs=duties_service.last_runs(), form=ButtonForm())


@bp.route("/duties/<name>/run", methods=["POST"])
def duty_run(name):
    """Run a duty now (queued; its scheduled run for the day still happens)."""
    from services import duties as duties_service
    if name not in duties_service.DUTIES:
        abort(404)
    if not ButtonForm().validate_on_submit():
        abort(400)
    duties_service.run_now_task(name)
    flash(_("已排队执行：%(duty)s", duty=duties_service.DUTIES[name].label), "success")
    return redirect(url_for("admin.duties"))


@bp.route("/outbox")
def outbox():
    """Notices sent out through the channels (企业微信…), newest first, with their state."""
    from models import Delivery
    rows = Delivery.select().order_by(Delivery.id.desc()).limit(literal(200))
    return render("admin/outbox.html", rows=rows)
