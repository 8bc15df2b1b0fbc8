"""Sign in, sign out, change password."""
from flask import flash, redirect, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_user, logout_user

from blueprints.helpers import render, safe_next, show_form, signed_in_user
from services import accounts, sessions

from . import bp
from .forms import LoginForm, PasswordForm


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Sign in with username and password."""
    if current_user.is_authenticated:
        return redirect(url_for("core.index"))
    form = LoginForm()
    if form.validate_on_submit():
        try:
            user = accounts.authenticate(form.username.data, form.password.data,
                                         address=request.remote_addr)
        except accounts.TooManyAttempts as waiting:
            form.password.errors.append(_("登录失败次数过多，请于 %(t)s 后再试。",
                                          t=f"{waiting.retry_at:%H:%M}"))
            return render("auth/login.html", status=429, form=form)
        except accounts.LoginRefused as refused:
            if refused.locked_until:
                form.password.errors.append(_("错误次数过多，账户已暂时锁定，请于 %(t)s 后再试。",
                                              t=f"{refused.locked_until:%H:%M}"))
            else:
                form.password.errors.append(_("用户名或密码不正确。"))
            return show_form("auth/login.html", form)
        login_user(user)
        sessions.mark_active(session)
        return redirect(safe_next(request.args.get("next")))
    return show_form("auth/login.html", form)


@bp.route("/logout", methods=["POST"])
def logout():
    """Sign out (a POST, so no link can sign someone out); a copy of the cookie stops working."""
    accounts.end_sessions(current_user)
    logout_user()
    flash(_("您已退出登录。"), "info")
    return redirect(url_for("auth.login"))


@bp.route("/password", methods=["GET", "POST"])
def password():
    """Change one's own password; other open sessions end."""
    form = PasswordForm()
    if form.validate_on_submit():
        if not accounts.verify_password(current_user, form.current.data):
            form.current.errors.append(_("当前密码不正确。"))
            return show_form("auth/password.html", form)
        user = accounts.set_password(signed_in_user(), form.new.data,
                                     actor=current_user)
        login_user(user)
        sessions.mark_active(session)
        flash(_("密码已修改。"), "success")
        return redirect(url_for("core.index"))
    return show_form("auth/password.html", form)
