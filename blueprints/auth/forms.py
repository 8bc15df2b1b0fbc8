"""Forms for signing in and changing a password."""
from flask_login import current_user
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length

from blueprints import validators
from blueprints.fields import Form
from models.i18n import lazy_gettext as _l


class LoginForm(Form):
    username = StringField(_l("用户名"), validators=[DataRequired(message=_l("请输入用户名")),
                                                     Length(max=40)])
    password = PasswordField(_l("密码"), validators=[DataRequired(message=_l("请输入密码")),
                                                     Length(max=200)])


class PasswordForm(Form):
    current = PasswordField(_l("当前密码"), validators=[DataRequired(message=_l("请输入当前密码"))])
    new = PasswordField(_l("新密码"), validators=[
        DataRequired(message=_l("请输入新密码")), Length(max=200),
        validators.strong_password(lambda form: current_user.username)])
    confirm = PasswordField(_l("确认新密码"), validators=[
        EqualTo("new", message=_l("两次输入的密码不一致"))])
