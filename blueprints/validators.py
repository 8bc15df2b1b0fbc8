"""WTForms validators every module's forms share, with Chinese messages."""
from wtforms import ValidationError

from services import accounts, identity
from services.i18n import lazy_gettext as _l


def phone(field_form, field):
    """A phone number (mobile or landline)."""
    if field.data and not identity.valid_phone(field.data):
        raise ValidationError(_l("电话号码格式不正确（手机 11 位，座机 5 到 20 位数字）"))


def plate(field_form, field):
    """A PRC vehicle plate, e.g. 粤B12345."""
    if field.data and not identity.valid_plate(field.data):
        raise ValidationError(_l("车牌格式不正确，例如 粤B12345"))


def id_number(field_form, field):
    """A resident ID with a valid check digit, or another document number."""
    if field.data and not identity.valid_id_number(field.data):
        raise ValidationError(_l("证件号码不正确（身份证请检查最后一位校验码）"))


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
