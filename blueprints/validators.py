"""WTForms validators every module's forms share, with Chinese messages."""
import datetime
import re

from wtforms import ValidationError

from models import clock
from models.i18n import lazy_gettext as _l
from services import accounts, identity


def phone(field_form, field):
    """A phone number (mobile or landline)."""
    if field.data and not identity.valid_phone(field.data):
        raise ValidationError(_l("电话号码格式不正确（手机 11 位，座机 5 到 20 位数字）"))


MOBILE = re.compile(r"^1[3-9]\d{9}$")


def mobile(field_form, field):
    """A mainland mobile number (11 digits from 13…), as a visitor gives their own."""
    if field.data and not MOBILE.match(identity.normalize_phone(field.data)):
        raise ValidationError(_l("请输入 11 位手机号码"))


def plate(field_form, field):
    """A PRC vehicle plate, e.g. 粤B12345."""
    if field.data and not identity.valid_plate(field.data):
        raise ValidationError(_l("车牌格式不正确，例如 粤B12345"))


def id_number(field_form, field):
    """A resident ID with a valid check digit, or another document number."""
    if field.data and not identity.valid_id_number(field.data):
        raise ValidationError(_l("证件号码不正确（身份证请检查最后一位校验码）"))


CLOCK_SKEW = datetime.timedelta(minutes=5)  # a tablet's clock a little ahead of the server's


def not_future(field_form, field):
    """Something that has happened (a visitor arrived, a complaint was received) is not dated
    in the future, beyond a few minutes of clock skew."""
    value = field.data
    if isinstance(value, datetime.datetime):
        late = value > clock.now() + CLOCK_SKEW
    elif isinstance(value, datetime.date):
        late = value > clock.today()
    else:
        return
    if late:
        raise ValidationError(_l("时间不能晚于现在"))


def sane_date(field_form, field):
    """Dates between 1900 and 2999: anything else is a typo (or an attack on date arithmetic)."""
    if field.data and not 1900 <= field.data.year <= 2999:
        raise ValidationError(_l("日期超出范围（1900–2999 年）"))


def strong_password(username_of):
    """The password policy (services.accounts.password_problem); `username_of(form)` names the
    account the password is for."""
    def check(form, field):
        problem = accounts.password_problem(field.data, username_of(form))
        if problem is not None:
            raise ValidationError(problem)
    return check
