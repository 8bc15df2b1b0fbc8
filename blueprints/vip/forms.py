"""VIP forms: the counter purchase, enrolment, gifts, redemption, promotion notices."""

from wtforms import (
    BooleanField,
    DateField,
    HiddenField,
    IntegerField,
    RadioField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import (
    DataRequired,
    InputRequired,
    Length,
    NumberRange,
    Optional,
)

from blueprints import validators
from blueprints.fields import DecimalField, Form, SelectField
from models import Gift, VipCard
from models.i18n import lazy_gettext as _l
from models.vip import GENDERS


class PurchaseForm(Form):
    card = HiddenField()
    phone = StringField(_l("顾客手机（非会员也请填写，用于累计入会资格）"),
                        validators=[Optional(), validators.phone])
    buyer_name = StringField(_l("顾客称呼"), validators=[Optional(), Length(max=40)])
    receipt_no = StringField(_l("小票号"), validators=[DataRequired(message=_l("请填写小票号")),
                                                     Length(max=40)])
    amount_before = DecimalField(_l("折前金额（元）"), places=2, validators=[
        InputRequired(message=_l("请填写金额")),
        NumberRange(min=0.01, max=10_000_000, message=_l("金额应在 0.01 到 1000 万元之间"))])
    promotional = BooleanField(_l("促销/特价/用券（不享受会员折扣）"))
    id_shown = BooleanField(_l("生日当天已出示身份证原件"))
    receipt_signed = BooleanField(_l("会员已在小票上签名"))
    signature = HiddenField()


class EnrolForm(Form):
    name = StringField(_l("姓名"), validators=[DataRequired(message=_l("请输入姓名")),
                                               Length(max=40)])
    phone = StringField(_l("手机"), validators=[DataRequired(message=_l("请输入手机号")),
                                               validators.phone])
    birthday = DateField(_l("生日"), validators=[validators.sane_date, validators.not_future, Optional()])
    gender = RadioField(_l("性别"), choices=[], default="")
    id_number = StringField(_l("证件号码"), validators=[Optional(), Length(max=30),
                                                       validators.id_number])
    address = StringField(_l("地址"), validators=[Optional(), Length(max=200)])
    referrer = StringField(_l("推荐人会员卡号（选填）"), validators=[Optional(), Length(max=12)])
    handbook_given = BooleanField(_l("已发放会员手册"))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.gender.choices = [(k, str(v)) for k, v in GENDERS.items()]

    def validate_referrer(self, field):
        if field.data and not VipCard.get_or_none(VipCard.number == field.data.strip().upper()):
            raise ValidationError(_l("没有这个会员卡号"))

    def validate_handbook_given(self, field):
        if not field.data:
            raise ValidationError(_l("请确认已将会员手册交给会员"))


class GiftForm(Form):
    name = StringField(_l("礼品"), validators=[DataRequired(message=_l("请填写礼品名称")),
                                               Length(max=60)])
    points = IntegerField(_l("所需积分"), validators=[
        InputRequired(message=_l("请填写积分")),
        NumberRange(min=1, max=1_000_000, message=_l("积分应在 1 到 100 万之间"))])
    stock = IntegerField(_l("库存"), validators=[
        InputRequired(message=_l("请填写库存")),
        NumberRange(min=0, max=1_000_000, message=_l("库存应在 0 到 100 万之间"))])
    active = BooleanField(_l("可兑换"), default=True)


class RedeemForm(Form):
    gift = SelectField(_l("礼品"), choices=[], validators=[DataRequired(message=_l("请选择礼品"))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        gifts = Gift.select().where((Gift.active == True) & (Gift.stock > 0)).order_by(  # noqa
            Gift.points)
        self.gift.choices = [("", "—")] + [
            (str(g.id), str(_l("%(name)s（%(points)s 分，余 %(stock)s）", name=g.name,
                               points=g.points, stock=g.stock))) for g in gifts]


class PromotionForm(Form):
    text = TextAreaField(_l("通知内容"), validators=[DataRequired(message=_l("请填写通知内容")),
                                                    Length(max=300)])
    audience = RadioField(_l("发送对象"), choices=[], default="all")
    numbers = TextAreaField(_l("会员卡号（每行一个，选择“指定会员”时填写）"),
                            validators=[Optional(), Length(max=20000)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.audience.choices = [("all", str(_l("全部有效会员"))), ("listed", str(_l("指定会员")))]

    def validate_numbers(self, field):
        if self.audience.data == "listed" and not (field.data or "").split():
            raise ValidationError(_l("请填写会员卡号"))
