"""Customer, emergency-contact, reveal, void, document, contact-log and evaluation forms."""

from flask_wtf.file import FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from blueprints import validators
from blueprints.core.forms import FilterForm
from blueprints.fields import DecimalField, Form, SelectField
from models import User
from models.archives import CONTACT_METHODS, SECTIONS
from models.customers import CREDIT_GRADES, GRADES, KINDS, STATUSES, TIERS
from models.i18n import lazy_gettext as _l
from models.users import ADMIN, ENGINEER


def _choices(mapping, blank=None):
    items = [(k, str(v)) for k, v in mapping.items()]
    return ([("", blank)] if blank is not None else []) + items


EMAIL = Regexp(r"^[^@\s]+@[^@\s]+\.[^@\s]+$", message=_l("邮箱格式不正确"))


class CustomerForm(Form):
    kind = SelectField(_l("客户类型"), choices=[])
    name = StringField(_l("名称/姓名"), validators=[DataRequired(message=_l("请输入名称或姓名")),
                                                   Length(max=80)])
    contact_person = StringField(_l("联系人"), validators=[Optional(), Length(max=40)])
    phone = StringField(_l("电话"), validators=[DataRequired(message=_l("请输入电话")),
                                               validators.phone])
    phone2 = StringField(_l("备用电话"), validators=[Optional(), validators.phone])
    email = StringField(_l("邮箱"), validators=[Optional(), Length(max=120), EMAIL])
    id_number = StringField(_l("证件号码"), validators=[Optional(), Length(max=30),
                                                       validators.id_number])
    building = StringField(_l("楼栋"), validators=[Optional(), Length(max=20)])
    unit = StringField(_l("单元"), validators=[Optional(), Length(max=20)])
    room = StringField(_l("房号"), validators=[Optional(), Length(max=20)])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    plate = StringField(_l("车牌"), validators=[Optional(), validators.plate])
    company_nature = StringField(_l("单位性质"), validators=[Optional(), Length(max=40)])
    owner = SelectField(_l("归属人员"), choices=[], validators=[Optional()])
    status = SelectField(_l("状态"), choices=[])
    source = SelectField(_l("来源"), choices=[], validators=[Optional()])
    contract_date = DateField(_l("签约日期"), validators=[validators.sane_date, validators.not_future, Optional()])
    handed_over_on = DateField(_l("交房日期"), validators=[validators.sane_date, validators.not_future, Optional()])
    tier = SelectField(_l("客户分级"), choices=[], validators=[Optional()])
    grade = SelectField(_l("等级"), choices=[], validators=[Optional()])
    notes = TextAreaField(_l("备注"), validators=[Optional(), Length(max=2000)])
    confirm_duplicate = BooleanField(_l("电话已登记在其他客户名下，仍然登记（重卡，归属以最早登记为准）"))
    turn = HiddenField()  # the sales-floor reception this card is filed from (a first visit)

    def __init__(self, *args, sources=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.kind.choices = _choices(KINDS)
        self.status.choices = _choices(STATUSES)
        self.tier.choices = _choices(TIERS, blank="—")
        self.grade.choices = _choices(GRADES, blank="—")
        self.source.choices = [("", "—")] + [(s, s) for s in sources]
        if self.source.data and self.source.data not in sources:
            self.source.choices.append((self.source.data, self.source.data))
        staff = (User.select().where(User.active == True,  # noqa: E712
                                     User.role.not_in([ENGINEER, ADMIN]))
                 .order_by(User.display_name))
        self.owner.choices = [("", "—")] + [(str(u.id), u.display_name) for u in staff]


class ContactForm(Form):
    name = StringField(_l("联络人姓名"), validators=[DataRequired(message=_l("请输入姓名")),
                                                     Length(max=40)])
    relation = StringField(_l("关系"), validators=[Optional(), Length(max=20)])
    phone = StringField(_l("电话"), validators=[DataRequired(message=_l("请输入电话")),
                                               validators.phone])
    phone2 = StringField(_l("备用电话"), validators=[Optional(), validators.phone])
    workplace = StringField(_l("工作单位"), validators=[Optional(), Length(max=100)])
    address = StringField(_l("住址"), validators=[Optional(), Length(max=200)])
    notes = StringField(_l("备注"), validators=[Optional(), Length(max=200)])


class RevealForm(Form):
    field = HiddenField()
    contact = HiddenField()
    reason = StringField(_l("查看原因"), validators=[DataRequired(message=_l("请填写查看原因")),
                                                    Length(max=200)])


class VoidForm(Form):
    reason = StringField(_l("作废原因"), validators=[DataRequired(message=_l("请填写作废原因")),
                                                    Length(max=500)])


class CustomerFilterForm(FilterForm):
    """The list's search and filters."""

    q = StringField(_l("搜索"))
    kind = SelectField(_l("类型"), choices=[], validators=[Optional()])
    status = SelectField(_l("状态"), choices=[], validators=[Optional()])
    tier = SelectField(_l("分级"), choices=[], validators=[Optional()])
    grade = SelectField(_l("等级"), choices=[], validators=[Optional()])
    owner = SelectField(_l("归属"), choices=[], validators=[Optional()])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        everything = str(_l("全部"))
        self.kind.choices = _choices(KINDS, blank=everything)
        self.status.choices = _choices(STATUSES, blank=everything)
        self.tier.choices = _choices(TIERS, blank=everything)
        self.grade.choices = _choices(GRADES, blank=everything)
        staff = User.select().where(User.role.not_in([ENGINEER, ADMIN])).order_by(User.display_name)
        self.owner.choices = [("", everything), ("none", str(_l("无归属")))] + [
            (str(u.id), u.display_name) for u in staff]




class DocumentForm(Form):
    section = SelectField(_l("档案栏目"), choices=[])
    title = StringField(_l("标题"), validators=[DataRequired(message=_l("请填写标题")),
                                                Length(max=100)])
    file = FileField(_l("文件（PDF、图片、Word、Excel）"),
                     validators=[FileRequired(message=_l("请选择文件"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.section.choices = [(k, str(v)) for k, v in SECTIONS.items()]


class ContactLogForm(Form):
    method = SelectField(_l("方式"), choices=[])
    note = StringField(_l("内容"), validators=[DataRequired(message=_l("请填写联系内容")),
                                               Length(max=300)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.method.choices = [(k, str(v)) for k, v in CONTACT_METHODS.items()]


class EvaluationForm(Form):
    tier = SelectField(_l("客户分级"), choices=[])
    grade = SelectField(_l("等级"), choices=[])
    provisional = BooleanField(_l("新客户暂定评级（6 个月后复评）"))
    credit = SelectField(_l("资信等级（财务部评定）"), choices=[], validators=[Optional()])
    annual_sales = DecimalField(_l("年销售额（元）"), places=2, validators=[
        Optional(), NumberRange(min=0, max=10 ** 12, message=_l("金额不能为负"))])
    price_level = StringField(_l("价格水平"), validators=[Optional(), Length(max=40)])
    payment_record = StringField(_l("回款记录"), validators=[Optional(), Length(max=100)])
    cooperation = StringField(_l("合作情况"), validators=[Optional(), Length(max=200)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.tier.choices = _choices(TIERS)
        self.grade.choices = _choices(GRADES)
        self.credit.choices = [("", "—")] + _choices(CREDIT_GRADES)


class ImportForm(Form):
    file = FileField(_l("Excel 文件（.xlsx）"), validators=[FileRequired(message=_l("请选择文件"))])
