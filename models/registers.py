"""The property office's registers (qms-pm-31303…31318) and the desk's books.

Each is a plain model: its fields carry their labels (verbose_name), choices and help text, and
blueprints/registers builds the pages, forms, exports and prints from them. What a register's
rules are lives in blueprints/registers/service.py.
"""
from peewee import (
    BlobField,
    BooleanField,
    CharField,
    DecimalField,
    ForeignKeyField,
    IntegerField,
    TextField,
)

from models.i18n import lazy_gettext as _l

from .base import DateField, DateTimeField, Voidable, label_of, now
from .customers import Customer
from .users import User


def choices(mapping):
    """A peewee `choices` list from {stored value: label}."""
    return list(mapping.items())


def customer_field(label=_l("客户/单元"), null=True):
    return ForeignKeyField(Customer, null=null, backref="+", on_delete="SET NULL" if null
                           else "CASCADE", verbose_name=label)


def staff_field(label, null=True):
    return ForeignKeyField(User, null=null, backref="+", on_delete="SET NULL", verbose_name=label)


def money(label):
    return DecimalField(max_digits=10, decimal_places=2, null=True, verbose_name=label)


class RegisterEntry(Voidable):
    """One line of a register: who entered it, the words a search finds it by, void/restore."""

    entered_by = ForeignKeyField(User, null=True, backref="+", on_delete="SET NULL")
    keywords = TextField(default="")  # the searched fields with their pinyin (registers.engine)
    title_field = "id"  # the field that names an entry in lists, logs and the timeline

    def label(self):
        value = getattr(self, self.title_field)
        return f"{self.record_name} {getattr(value, 'name', value)}"


# 31305, 31306, 31315: parking

DEALS = {"rent": _l("出租"), "sale": _l("出售")}


class ParkingDeal(RegisterEntry):
    """停车位租售状况登记表: a space let or sold to a customer, from a date (a let until one)."""

    record_name = _l("车位租售")
    title_field = "space"
    space = CharField(max_length=20, verbose_name=_l("车位号"))
    kind = CharField(max_length=10, choices=choices(DEALS), verbose_name=_l("租售"))
    customer = customer_field(_l("业主/租户"), null=False)
    plate = CharField(max_length=20, default="", verbose_name=_l("车牌"))
    starts_on = DateField(verbose_name=_l("起始日期"))
    ends_on = DateField(null=True, verbose_name=_l("到期日期"), help_text=_l("出租必填"))
    price = money(_l("租金/售价（元）"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))

    kind_label = label_of("kind", DEALS)


class ParkingPermit(RegisterEntry):
    """停车证发放登记表: a permit for one plate on one space, valid until a date."""

    record_name = _l("停车证")
    title_field = "permit_no"
    permit_no = CharField(max_length=20, default="", verbose_name=_l("停车证号"),
                          help_text=_l("留空则自动编号"))
    space = CharField(max_length=20, verbose_name=_l("车位号"))
    plate = CharField(max_length=20, verbose_name=_l("车牌"))
    customer = customer_field(_l("持证人"), null=False)
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("发证日期"))
    valid_until = DateField(verbose_name=_l("有效期至"))
    fee = money(_l("工本费（元）"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))


SPACE_WANTS = {"rent": _l("租用"), "buy": _l("购买")}
WAITING, GIVEN, WITHDRAWN = "waiting", "given", "withdrawn"
APPLICATION_STATES = {WAITING: _l("排队中"), GIVEN: _l("已安排"), WITHDRAWN: _l("已撤回")}


class SpaceApplication(RegisterEntry):
    """车位申请登记表: a customer waiting for a space, in the order they applied."""

    record_name = _l("车位申请")
    title_field = "customer"
    customer = customer_field(_l("申请人"), null=False)
    plate = CharField(max_length=20, default="", verbose_name=_l("车牌"))
    wants = CharField(max_length=10, choices=choices(SPACE_WANTS), verbose_name=_l("租用/购买"))
    applied_on = DateField(default=lambda: now().date(), verbose_name=_l("申请日期"))
    state = CharField(max_length=10, default=WAITING, choices=choices(APPLICATION_STATES),
                      verbose_name=_l("状态"))
    space_given = CharField(max_length=20, default="", verbose_name=_l("安排车位号"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))


class BikePlate(RegisterEntry):
    """非机动车车牌办理登记表: a bicycle or e-bike plate issued to a resident."""

    record_name = _l("非机动车车牌")
    title_field = "plate_no"
    BIKES = {"bicycle": _l("自行车"), "ebike": _l("电动自行车"), "motorbike": _l("摩托车")}
    plate_no = CharField(max_length=20, verbose_name=_l("车牌编号"))
    bike = CharField(max_length=10, choices=choices(BIKES), verbose_name=_l("车辆类型"))
    customer = customer_field(_l("车主单元"))
    owner = CharField(max_length=40, verbose_name=_l("车主"))
    phone = CharField(max_length=20, default="", verbose_name=_l("联系电话"))
    brand = CharField(max_length=40, default="", verbose_name=_l("品牌/颜色"))
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("办理日期"))
    fee = money(_l("工本费（元）"))
    masked_fields = {"phone": "phone"}


class SpecialMatter(RegisterEntry):
    """特别事务记录表: anything out of the ordinary the desk must keep a record of."""

    record_name = _l("特别事务")
    title_field = "matter"
    happened_at = DateTimeField(default=now, verbose_name=_l("发生时间"))
    place = CharField(max_length=60, default="", verbose_name=_l("地点"))
    customer = customer_field(_l("涉及客户/单元"))
    matter = TextField(verbose_name=_l("事务内容"))
    handling = TextField(default="", verbose_name=_l("处理经过"))
    handled_by = staff_field(_l("处理人"))
    result = CharField(max_length=200, default="", verbose_name=_l("处理结果"))


# 31307–31310, 31314: telephones. A number's history is every entry that names it.

LINES = {"direct": _l("直线"), "extension": _l("分机"), "fax": _l("传真"), "data": _l("宽带/数据")}
OFFERS = {"rent": _l("出租"), "sale": _l("出售")}
CHANGES = {"number": _l("改号"), "suspend": _l("停机"), "resume": _l("复机"),
           "service": _l("增减业务"), "cancel": _l("拆机")}


class PhoneNumber(RegisterEntry):
    """备租/售电话号码登记表: the pool of numbers the office lets or sells; taken by an
    installation."""

    record_name = _l("备租/售电话号码")
    title_field = "number"
    number = CharField(max_length=20, verbose_name=_l("电话号码"))
    offer = CharField(max_length=10, choices=choices(OFFERS), verbose_name=_l("租/售"))
    line = CharField(max_length=10, default="direct", choices=choices(LINES),
                     verbose_name=_l("线路类型"))
    price = money(_l("月租/售价（元）"))
    listed_on = DateField(default=lambda: now().date(), verbose_name=_l("登记日期"))
    taken_by = customer_field(_l("已租/售给"))
    taken_on = DateField(null=True, verbose_name=_l("租/售日期"))


class PhoneInstall(RegisterEntry):
    """电话报装申请表: a customer asks for a line; a number from the pool is taken by it."""

    record_name = _l("电话报装")
    title_field = "number"
    customer = customer_field(_l("申请单元"), null=False)
    number = CharField(max_length=20, verbose_name=_l("电话号码"))
    line = CharField(max_length=10, default="direct", choices=choices(LINES),
                     verbose_name=_l("线路类型"))
    applied_on = DateField(default=lambda: now().date(), verbose_name=_l("申请日期"))
    installed_on = DateField(null=True, verbose_name=_l("开通日期"))
    fee = money(_l("报装费（元）"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))


class PhoneChange(RegisterEntry):
    """电话变更登记表: a number changed, suspended, resumed or taken out."""

    record_name = _l("电话变更")
    title_field = "number"
    customer = customer_field(_l("单元"), null=False)
    number = CharField(max_length=20, verbose_name=_l("原号码"))
    change = CharField(max_length=10, choices=choices(CHANGES), verbose_name=_l("变更内容"))
    new_number = CharField(max_length=20, default="", verbose_name=_l("新号码"),
                           help_text=_l("改号必填"))
    changed_on = DateField(default=lambda: now().date(), verbose_name=_l("变更日期"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))


class PhoneTransfer(RegisterEntry):
    """电话过户登记表: a number passes from one customer to another."""

    record_name = _l("电话过户")
    title_field = "number"
    number = CharField(max_length=20, verbose_name=_l("电话号码"))
    from_customer = customer_field(_l("原用户"), null=False)
    customer = customer_field(_l("新用户"), null=False)
    transferred_on = DateField(default=lambda: now().date(), verbose_name=_l("过户日期"))
    fee = money(_l("过户费（元）"))


class PhoneMove(RegisterEntry):
    """移机电话统计表: a line moved from one place to another."""

    record_name = _l("移机电话")
    title_field = "number"
    customer = customer_field(_l("单元"), null=False)
    number = CharField(max_length=20, verbose_name=_l("电话号码"))
    from_place = CharField(max_length=60, verbose_name=_l("原位置"))
    to_place = CharField(max_length=60, verbose_name=_l("新位置"))
    moved_on = DateField(default=lambda: now().date(), verbose_name=_l("移机日期"))
    fee = money(_l("移机费（元）"))


# 31311–31313, 31316: people. Their ID and passport numbers are masked until revealed.

class ForeignEmployee(RegisterEntry):
    """境外雇员登记表: a foreign employee of a tenant, with passport and visa."""

    record_name = _l("境外雇员")
    title_field = "name"
    customer = customer_field(_l("受雇单位"), null=False)
    name = CharField(max_length=60, verbose_name=_l("姓名"))
    nationality = CharField(max_length=30, verbose_name=_l("国籍"))
    passport_no = CharField(max_length=30, verbose_name=_l("护照号码"))
    position = CharField(max_length=40, default="", verbose_name=_l("职务"))
    visa_until = DateField(null=True, verbose_name=_l("签证有效期至"))
    phone = CharField(max_length=20, default="", verbose_name=_l("联系电话"))
    arrived_on = DateField(default=lambda: now().date(), verbose_name=_l("登记日期"))
    masked_fields = {"passport_no": "id", "phone": "phone"}


class ForeignOffice(RegisterEntry):
    """涉外常驻单位登记表: a foreign company's resident office in the building."""

    record_name = _l("涉外常驻单位")
    title_field = "name"
    customer = customer_field(_l("单元"), null=False)
    name = CharField(max_length=100, verbose_name=_l("单位名称"))
    country = CharField(max_length=30, verbose_name=_l("国家/地区"))
    representative = CharField(max_length=40, verbose_name=_l("首席代表"))
    licence_no = CharField(max_length=40, default="", verbose_name=_l("登记证号"))
    staff = IntegerField(null=True, verbose_name=_l("常驻人数"))
    phone = CharField(max_length=20, default="", verbose_name=_l("联系电话"))
    registered_on = DateField(default=lambda: now().date(), verbose_name=_l("登记日期"))
    valid_until = DateField(null=True, verbose_name=_l("有效期至"))
    masked_fields = {"phone": "phone"}


class ResidentCard(RegisterEntry):
    """用户身份卡登记表: an identity card the office issues to a resident or a tenant's staff."""

    record_name = _l("用户身份卡")
    title_field = "card_no"
    card_no = CharField(max_length=20, verbose_name=_l("卡号"))
    customer = customer_field(_l("单元"), null=False)
    holder = CharField(max_length=40, verbose_name=_l("持卡人"))
    id_number = CharField(max_length=30, verbose_name=_l("证件号码"))
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("发卡日期"))
    valid_until = DateField(null=True, verbose_name=_l("有效期至"))
    returned_on = DateField(null=True, verbose_name=_l("退卡日期"))
    masked_fields = {"id_number": "id"}


LEAVINGS = {"resigned": _l("辞职"), "dismissed": _l("辞退")}


class StaffLeaver(RegisterEntry):
    """辞职、辞退员工名单记录表: a tenant's employee who left, so their passes are withdrawn."""

    record_name = _l("辞职/辞退员工")
    title_field = "name"
    customer = customer_field(_l("所在单位"), null=False)
    name = CharField(max_length=40, verbose_name=_l("姓名"))
    id_number = CharField(max_length=30, default="", verbose_name=_l("证件号码"))
    leaving = CharField(max_length=10, choices=choices(LEAVINGS), verbose_name=_l("类别"))
    left_on = DateField(verbose_name=_l("离职日期"))
    card_returned = BooleanField(default=False, verbose_name=_l("已收回身份卡/门禁卡"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))
    masked_fields = {"id_number": "id"}


# 31317: keys in custody, and each time one is handed out.

class KeyCustody(RegisterEntry):
    """代保管单元钥匙申请表: a unit's keys the office holds for its owner, and who may take them."""

    record_name = _l("代保管钥匙")
    title_field = "customer"
    customer = customer_field(_l("委托单元"), null=False)
    keys = CharField(max_length=100, verbose_name=_l("钥匙名称"))
    count = IntegerField(default=1, verbose_name=_l("数量（把）"))
    authorised = CharField(max_length=200, verbose_name=_l("授权取用人"),
                           help_text=_l("多人用顿号或逗号分隔"))
    authorised_until = DateField(null=True, verbose_name=_l("授权有效期至"))
    holder = staff_field(_l("保管人"), null=False)
    received_on = DateField(default=lambda: now().date(), verbose_name=_l("接收日期"))
    returned_on = DateField(null=True, verbose_name=_l("退还业主日期"),
                            help_text=_l("代保管结束时填写"))


class KeyLoan(RegisterEntry):
    """One hand-out of a key in custody: to whom, their ID checked, and when it came back."""

    record_name = _l("钥匙借出")
    title_field = "person"
    custody = ForeignKeyField(KeyCustody, backref="loans", on_delete="CASCADE",
                              verbose_name=_l("代保管钥匙"))
    person = CharField(max_length=40, verbose_name=_l("领用人"))
    id_number = CharField(max_length=30, verbose_name=_l("证件号码"))
    id_checked = BooleanField(default=False, verbose_name=_l("已核对证件"))
    purpose = CharField(max_length=100, default="", verbose_name=_l("用途"))
    out_at = DateTimeField(default=now, verbose_name=_l("借出时间"))
    back_at = DateTimeField(null=True, verbose_name=_l("归还时间"))
    masked_fields = {"id_number": "id"}


# 31318: meter readings, confirmed by the customer's signature.

METERS = {"water": _l("水表"), "power": _l("电表")}


class MeterReading(RegisterEntry):
    """水、电表底数确认单: a meter's reading, signed by the customer on the tablet."""

    record_name = _l("水电表底数")
    title_field = "meter_no"
    customer = customer_field(_l("单元"), null=False)
    meter = CharField(max_length=10, choices=choices(METERS), verbose_name=_l("表类"))
    meter_no = CharField(max_length=30, verbose_name=_l("表号"))
    read_on = DateField(default=lambda: now().date(), verbose_name=_l("抄表日期"))
    reading = DecimalField(max_digits=12, decimal_places=2, verbose_name=_l("底数"))
    replaced = BooleanField(default=False, verbose_name=_l("本次换表"))
    old_final = DecimalField(max_digits=12, decimal_places=2, null=True,
                             verbose_name=_l("旧表止数"), help_text=_l("换表时必填"))
    read_by = staff_field(_l("抄表人"))
    signature = BlobField(null=True, verbose_name=_l("客户签名"))
    signed_at = DateTimeField(null=True, verbose_name=_l("签名时间"))


# The desk's books (seeds 002 and 004).

TOPICS = {"enquiry": _l("咨询"), "repair": _l("报修"), "complaint": _l("投诉"),
          "praise": _l("表扬"), "other": _l("其他")}


class CallLog(RegisterEntry):
    """来电登记本: a call to the desk, what it was about and what was done."""

    record_name = _l("来电登记")
    title_field = "caller"
    at = DateTimeField(default=now, verbose_name=_l("来电时间"))
    caller = CharField(max_length=40, verbose_name=_l("来电人"))
    phone = CharField(max_length=20, default="", verbose_name=_l("来电号码"))
    customer = customer_field()
    topic = CharField(max_length=10, choices=choices(TOPICS), verbose_name=_l("类别"))
    content = TextField(verbose_name=_l("来电内容"))
    result = CharField(max_length=200, default="", verbose_name=_l("处理结果"))
    handled_by = staff_field(_l("接听人"))
    masked_fields = {"phone": "phone"}


class ProblemLog(RegisterEntry):
    """问题登记本: a problem met at work and the way found, handed to the lead each week."""

    record_name = _l("问题登记")
    title_field = "problem"
    at = DateTimeField(default=now, verbose_name=_l("时间"))
    problem = TextField(verbose_name=_l("遇到的问题"))
    method = TextField(default="", verbose_name=_l("解决方法"))
    raised_by = staff_field(_l("登记人"))
    reviewed_by = staff_field(_l("负责人汇总"))
    reviewed_at = DateTimeField(null=True, verbose_name=_l("汇总时间"))


class ServiceTally(RegisterEntry):
    """服务统计本: one person's day: visits, calls, customers served and deals made."""

    record_name = _l("服务统计")
    title_field = "day"
    day = DateField(default=lambda: now().date(), verbose_name=_l("日期"))
    staff = staff_field(_l("客服人员"), null=False)
    visits = IntegerField(default=0, verbose_name=_l("来访接待"))
    calls = IntegerField(default=0, verbose_name=_l("来电接听"))
    served = IntegerField(default=0, verbose_name=_l("服务客户数"))
    deals = IntegerField(default=0, verbose_name=_l("成交客户数"))

    class Meta:
        indexes = ((("day", "staff"), False),)

    @property
    def conversion(self):
        """成交 / 服务 as a percentage, or None when nobody was served."""
        return round(100 * self.deals / self.served, 1) if self.served else None


class NewspaperLog(RegisterEntry):
    """报刊登记: newspapers and magazines received, by kind and number, and where they went."""

    record_name = _l("报刊登记")
    title_field = "title"
    received_on = DateField(default=lambda: now().date(), verbose_name=_l("收到日期"))
    title = CharField(max_length=60, verbose_name=_l("报刊名称"))
    copies = IntegerField(default=1, verbose_name=_l("份数"))
    customer = customer_field(_l("订阅单元"))
    delivered_to = CharField(max_length=60, default="", verbose_name=_l("分送至"))
    received_by = staff_field(_l("签收人"))


MAIL_KINDS = {"letter": _l("平信"), "registered": _l("挂号信"), "parcel": _l("包裹"),
              "express": _l("快递")}


class MailLog(RegisterEntry):
    """信件登记: mail and parcels received for a unit, and who collected them."""

    record_name = _l("信件登记")
    title_field = "addressee"
    received_at = DateTimeField(default=now, verbose_name=_l("收件时间"))
    kind = CharField(max_length=10, choices=choices(MAIL_KINDS), verbose_name=_l("类别"))
    addressee = CharField(max_length=60, verbose_name=_l("收件人"))
    customer = customer_field(_l("收件单元"))
    sender = CharField(max_length=60, default="", verbose_name=_l("寄件人/快递公司"))
    tracking_no = CharField(max_length=40, default="", verbose_name=_l("单号"))
    collected_by = CharField(max_length=40, default="", verbose_name=_l("领取人"))
    collected_at = DateTimeField(null=True, verbose_name=_l("领取时间"))


class LostProperty(RegisterEntry):
    """失物招领登记: something found, where it is kept, and who claimed it against their ID."""

    record_name = _l("失物招领")
    title_field = "item"
    found_at = DateTimeField(default=now, verbose_name=_l("拾获时间"))
    place = CharField(max_length=60, verbose_name=_l("拾获地点"))
    item = CharField(max_length=100, verbose_name=_l("物品"))
    found_by = CharField(max_length=40, default="", verbose_name=_l("拾获人"))
    kept_at = CharField(max_length=60, default="", verbose_name=_l("存放处"))
    claimed_by = CharField(max_length=40, default="", verbose_name=_l("认领人"))
    claimant_id = CharField(max_length=30, default="", verbose_name=_l("认领人证件号码"))
    claimed_at = DateTimeField(null=True, verbose_name=_l("认领时间"))
    masked_fields = {"claimant_id": "id"}


REGISTER_MODELS = [ParkingDeal, ParkingPermit, SpaceApplication, BikePlate, SpecialMatter,
                   PhoneNumber, PhoneInstall, PhoneChange, PhoneTransfer, PhoneMove,
                   ForeignEmployee, ForeignOffice, ResidentCard, StaffLeaver, KeyCustody, KeyLoan,
                   MeterReading, CallLog, ProblemLog, ServiceTally, NewspaperLog, MailLog,
                   LostProperty]


# Complaint forms kept as registers (seed 000 客户投诉管理制度).

class AnomalyReport(RegisterEntry):
    """异常处理单: a customer's report of a fault that caused no loss, sent to the department
    concerned to improve (第三条)."""

    record_name = _l("异常处理单")
    title_field = "subject"
    reported_on = DateField(default=lambda: now().date(), verbose_name=_l("反映日期"))
    customer = customer_field(_l("客户"))
    order_no = CharField(max_length=40, default="", verbose_name=_l("订单号/料号"))
    subject = CharField(max_length=100, verbose_name=_l("异常事项"))
    details = TextField(default="", verbose_name=_l("异常情况"))
    department = CharField(max_length=40, verbose_name=_l("改善单位"))
    improvement = TextField(default="", verbose_name=_l("改善对策"))
    improved_on = DateField(null=True, verbose_name=_l("改善完成日期"))


class Petition(RegisterEntry):
    """签呈: a department's objection to a complaint decision, put to the GM (第九条（十一）)."""

    record_name = _l("签呈")
    title_field = "subject"
    submitted_on = DateField(default=lambda: now().date(), verbose_name=_l("呈报日期"))
    department = CharField(max_length=40, verbose_name=_l("呈报部门"))
    complaint_serial = CharField(max_length=20, default="", verbose_name=_l("相关客诉编号"))
    subject = CharField(max_length=100, verbose_name=_l("主旨"))
    statement = TextField(verbose_name=_l("说明"))
    proposal = TextField(default="", verbose_name=_l("拟办意见"))
    decision = TextField(default="", verbose_name=_l("总经理批示"))
    decided_by = staff_field(_l("批示人"))
    decided_at = DateTimeField(null=True, verbose_name=_l("批示时间"))


class LetterLog(RegisterEntry):
    """来函登记: a written complaint or letter received, and the written reply sent."""

    record_name = _l("来函")
    title_field = "subject"
    received_on = DateField(default=lambda: now().date(), verbose_name=_l("收函日期"))
    sender = CharField(max_length=60, verbose_name=_l("来函人/单位"))
    customer = customer_field(_l("客户"))
    address = CharField(max_length=200, default="", verbose_name=_l("回复地址"))
    subject = CharField(max_length=100, verbose_name=_l("来函事由"))
    summary = TextField(default="", verbose_name=_l("来函摘要"))
    complaint_serial = CharField(max_length=20, default="", verbose_name=_l("客诉编号"))
    reply = TextField(default="", verbose_name=_l("书面答复"))
    replied_on = DateField(null=True, verbose_name=_l("答复日期"))
    replied_by = staff_field(_l("答复人"))


REGISTER_MODELS += [AnomalyReport, Petition, LetterLog]


# The archive's structured records (seed 000 商住大厦客户档案管理制度: 客户缴费记录包括各样应付之押金,
# 客户装修工程文件, 客户资料补充, 客户违规事项与欠费记录) and the 查阅程序 for outside readers.

FEE_ITEMS = {"management": _l("物业管理费"), "utilities": _l("水电费"), "parking": _l("停车费"),
             "deposit": _l("押金"), "other": _l("其他")}


class FeeRecord(RegisterEntry):
    """客户缴费记录: what a unit owes for a period and what it paid; the difference is arrears."""

    record_name = _l("缴费记录")
    title_field = "period"
    customer = customer_field(_l("单元"), null=False)
    item = CharField(max_length=12, choices=choices(FEE_ITEMS), verbose_name=_l("收费项目"))
    period = CharField(max_length=20, verbose_name=_l("所属期间"), help_text=_l("如 2026-11"))
    amount_due = money(_l("应收（元）"))
    amount_paid = money(_l("实收（元）"))
    paid_on = DateField(null=True, verbose_name=_l("缴费日期"))
    receipt_no = CharField(max_length=30, default="", verbose_name=_l("收据号"))

    @property
    def arrears(self):
        return (self.amount_due or 0) - (self.amount_paid or 0)


class Violation(RegisterEntry):
    """客户违规事项记录: a unit's breach of the rules and how it was dealt with."""

    record_name = _l("违规事项")
    title_field = "matter"
    happened_on = DateField(default=lambda: now().date(), verbose_name=_l("发生日期"))
    customer = customer_field(_l("单元"), null=False)
    matter = CharField(max_length=100, verbose_name=_l("违规事项"))
    details = TextField(default="", verbose_name=_l("经过"))
    handling = TextField(default="", verbose_name=_l("处理"))
    rectified_on = DateField(null=True, verbose_name=_l("整改完成日期"))


class FitOut(RegisterEntry):
    """客户装修工程档案 (二次装修): the works in a unit, their approval, deposit and inspection."""

    record_name = _l("装修工程")
    title_field = "contractor"
    customer = customer_field(_l("装修单元"), null=False)
    contractor = CharField(max_length=60, verbose_name=_l("施工单位"))
    scope = TextField(verbose_name=_l("装修内容"))
    approved_on = DateField(null=True, verbose_name=_l("审批日期"))
    starts_on = DateField(verbose_name=_l("开工日期"))
    ends_on = DateField(verbose_name=_l("完工日期"))
    deposit = money(_l("装修押金（元）"))
    inspected_on = DateField(null=True, verbose_name=_l("验收日期"))
    deposit_returned_on = DateField(null=True, verbose_name=_l("押金退还日期"))


class ArchiveSupplement(RegisterEntry):
    """客户资料补充: something added to a customer's file after move-in."""

    record_name = _l("资料补充")
    title_field = "item"
    customer = customer_field(_l("客户"), null=False)
    added_on = DateField(default=lambda: now().date(), verbose_name=_l("补充日期"))
    item = CharField(max_length=60, verbose_name=_l("资料名称"))
    content = TextField(default="", verbose_name=_l("内容"))


class ArchiveLoan(RegisterEntry):
    """档案查阅借阅登记 (查阅程序): an outside party asks to read a customer's file; a leader
    approves; the file lent out comes back."""

    record_name = _l("档案查阅")
    title_field = "requester"
    customer = customer_field(_l("所查档案"), null=False)
    requester = CharField(max_length=60, verbose_name=_l("查阅单位/人"))
    id_number = CharField(max_length=30, default="", verbose_name=_l("证件号码"))
    purpose = CharField(max_length=200, verbose_name=_l("查阅事由"))
    requested_on = DateField(default=lambda: now().date(), verbose_name=_l("申请日期"))
    borrow = BooleanField(default=False, verbose_name=_l("借出（非当场查阅）"))
    approved_by = staff_field(_l("批准领导"))
    approved_at = DateTimeField(null=True, verbose_name=_l("批准时间"))
    returned_at = DateTimeField(null=True, verbose_name=_l("归还时间"))
    masked_fields = {"id_number": "id"}


REGISTER_MODELS += [FeeRecord, Violation, FitOut, ArchiveSupplement, ArchiveLoan]


class DuplicateCard(RegisterEntry):
    """重卡登记: a customer registered again by another salesperson; attributed to the first
    registration, fined when it came of a follow-up not made in time (seed 002)."""

    record_name = _l("重卡")
    title_field = "customer"
    customer = customer_field(_l("原登记客户"), null=False)
    second = customer_field(_l("重复登记"))
    first_owner = staff_field(_l("原归属人员"))
    second_by = staff_field(_l("重复登记人"))
    found_on = DateField(default=lambda: now().date(), verbose_name=_l("发现日期"))
    late_follow_up = BooleanField(default=False, verbose_name=_l("因未及时回访造成"))
    fine = money(_l("罚款（元）"))
    notes = CharField(max_length=200, default="", verbose_name=_l("备注"))


REGISTER_MODELS += [DuplicateCard]


# Returns' accounting (seed 000 第十三条 成品退货帐务处理) and claims on the carrier (seed 004
# 第四条: 运输途中…损耗、丢失…向承运方进行索赔).

RETURN_HANDLING = {"return": _l("退货"), "rework": _l("重处理")}
RETURN_PROOFS = {"invoice": _l("收回原发票，买受人盖统一发票章"),
                 "copy": _l("原发票影印本注明实退数量金额，买受人盖章"),
                 "certificate": _l("销货退回证明单，买受人盖章签回")}
ALLOWANCE_PROOFS = {"copy": _l("原发票影印本注明折让单价金额，买受人盖章"),
                    "certificate": _l("销货折让证明单，买受人盖章签回")}
LOSSES = {"damage": _l("损耗"), "loss": _l("丢失")}
CLAIM_OUTCOMES = {"paid": _l("已赔付"), "refused": _l("承运方拒赔")}


def serial_field(label):
    return CharField(max_length=20, default="", verbose_name=label, help_text=_l("留空则自动编号"))


class GoodsReturnNote(RegisterEntry):
    """成品退货单: opened from a closed complaint's 核定退货量; the warehouse signs for what came
    back, and the accounts book by it when within the over-acceptance ratio."""

    record_name = _l("成品退货单")
    title_field = "note_no"
    note_no = serial_field(_l("退货单号"))
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("开单日期"))
    complaint_serial = CharField(max_length=20, verbose_name=_l("客诉编号"))
    customer = customer_field(_l("客户"), null=False)
    item = CharField(max_length=80, verbose_name=_l("品名/料号"))
    approved_qty = IntegerField(verbose_name=_l("核定退货量"))
    over_ratio = DecimalField(max_digits=5, decimal_places=2, null=True,
                              verbose_name=_l("超量允收比率（%）"),
                              help_text=_l("客户订制时注明的比率；留空按公司规定"))
    handling = CharField(max_length=10, choices=choices(RETURN_HANDLING),
                         verbose_name=_l("处理方式"))
    reason = TextField(verbose_name=_l("退货缘由"))
    basis = CharField(max_length=200, default="", verbose_name=_l("退回依据"))
    approved_by = staff_field(_l("经（副）理批示"))
    approved_at = DateTimeField(null=True, verbose_name=_l("批示时间"))
    actual_qty = IntegerField(null=True, verbose_name=_l("实退量"))
    receipt_note = CharField(max_length=200, default="", verbose_name=_l("签收说明"))
    received_by = staff_field(_l("仓储签收人"))
    received_at = DateTimeField(null=True, verbose_name=_l("签收时间"))
    booked_qty = IntegerField(null=True, verbose_name=_l("转帐数量"))
    proof = CharField(max_length=12, default="", choices=choices(RETURN_PROOFS),
                      verbose_name=_l("退货证明"))

    proof_label = label_of("proof", RETURN_PROOFS)


class AllowanceNote(RegisterEntry):
    """销货折让证明单: an allowance as the complaint's 核决 set it, signed by the manager and the
    GM (or deputy), then stamped by the buyer."""

    record_name = _l("销货折让证明单")
    title_field = "note_no"
    note_no = serial_field(_l("证明单号"))
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("开单日期"))
    complaint_serial = CharField(max_length=20, verbose_name=_l("客诉编号"))
    customer = customer_field(_l("买受人"), null=False)
    invoice_no = CharField(max_length=30, verbose_name=_l("原发票号码"))
    item = CharField(max_length=80, verbose_name=_l("品名/料号"))
    quantity = IntegerField(verbose_name=_l("数量"))
    unit_price = money(_l("原单价（元）"))
    allowance_price = money(_l("折让单价（元）"))
    manager_by = staff_field(_l("经（副）理核签"))
    manager_at = DateTimeField(null=True, verbose_name=_l("经理核签时间"))
    gm_by = staff_field(_l("总（副）经理核签"))
    gm_at = DateTimeField(null=True, verbose_name=_l("总经理核签时间"))
    proof = CharField(max_length=12, default="", choices=choices(ALLOWANCE_PROOFS),
                      verbose_name=_l("折让证明"))
    stamped_on = DateField(null=True, verbose_name=_l("签回日期"))

    proof_label = label_of("proof", ALLOWANCE_PROOFS)


class ReturnCertificate(RegisterEntry):
    """销货退回证明单: the buyer's stamped statement of what came back on a 成品退货单."""

    record_name = _l("销货退回证明单")
    title_field = "return_note_no"
    issued_on = DateField(default=lambda: now().date(), verbose_name=_l("开单日期"))
    return_note_no = CharField(max_length=20, verbose_name=_l("成品退货单号"))
    customer = customer_field(_l("买受人"), null=False)
    invoice_no = CharField(max_length=30, verbose_name=_l("原发票号码"))
    quantity = IntegerField(verbose_name=_l("退货数量"))
    unit_price = money(_l("单价（元）"))
    received_qty = IntegerField(verbose_name=_l("实收数量"))
    stamped_on = DateField(null=True, verbose_name=_l("签回日期"))


class CarrierClaim(RegisterEntry):
    """承运索赔: goods damaged or lost on the way, claimed from the carrier with the customer."""

    record_name = _l("承运索赔")
    title_field = "waybill_no"
    happened_on = DateField(default=lambda: now().date(), verbose_name=_l("发生日期"))
    customer = customer_field(_l("客户"))
    carrier = CharField(max_length=60, verbose_name=_l("承运方"))
    waybill_no = CharField(max_length=40, verbose_name=_l("运单号"))
    goods = CharField(max_length=100, verbose_name=_l("货物"))
    loss = CharField(max_length=10, choices=choices(LOSSES), verbose_name=_l("损耗/丢失"))
    description = TextField(verbose_name=_l("情况说明"))
    amount_claimed = money(_l("索赔金额（元）"))
    outcome = CharField(max_length=10, default="", choices=choices(CLAIM_OUTCOMES),
                        verbose_name=_l("结果"))
    amount_paid = money(_l("赔付金额（元）"))
    closing_note = CharField(max_length=200, default="", verbose_name=_l("结案说明"))
    closed_on = DateField(null=True, verbose_name=_l("结案日期"))

    outcome_label = label_of("outcome", CLAIM_OUTCOMES)


REGISTER_MODELS += [GoodsReturnNote, AllowanceNote, ReturnCertificate, CarrierClaim]


# Satisfaction surveys and the reviews of follow-up work (seed 001 第十五条（五）: 每六个月进行
# 不少于一次用户满意率调查…7月10日和第二年元月10日前完成调研形成“用户满意率调查汇报”; 第十七条
# （五）: 销售部每三个月…对用户回访工作做总体评定汇报).

SCORES = {"5": _l("非常满意"), "4": _l("满意"), "3": _l("一般"), "2": _l("不满意"),
          "1": _l("很不满意")}
SURVEY_METHODS = {"phone": _l("电话"), "visit": _l("走访"), "paper": _l("书面问卷"),
                  "online": _l("网络")}


def score_field(label):
    return CharField(max_length=1, choices=choices(SCORES), verbose_name=label)


class SatisfactionAnswer(RegisterEntry):
    """用户满意度调查问卷: one customer's answers on quality, price and service."""

    record_name = _l("满意度调查问卷")
    title_field = "customer"
    answered_on = DateField(default=lambda: now().date(), verbose_name=_l("调查日期"))
    customer = customer_field(_l("用户"), null=False)
    method = CharField(max_length=10, choices=choices(SURVEY_METHODS), verbose_name=_l("调查方式"))
    quality = score_field(_l("产品质量"))
    price = score_field(_l("价格"))
    service = score_field(_l("基础服务"))
    opinions = TextField(default="", verbose_name=_l("产品使用情况意见"))
    suggestions = TextField(default="", verbose_name=_l("提议"))
    surveyed_by = staff_field(_l("调查人"))


class SatisfactionReport(RegisterEntry):
    """用户满意率调查汇报: a unit's half-year figures from the answers, its analysis and plan,
    approved by the company's leader."""

    record_name = _l("用户满意率调查汇报")
    title_field = "period"
    period = CharField(max_length=7, verbose_name=_l("调查期"),
                       help_text=_l("如 2026-H2（上半年 H1，下半年 H2）"))
    department = CharField(max_length=40, verbose_name=_l("业务单位"))
    submitted_on = DateField(default=lambda: now().date(), verbose_name=_l("汇报日期"))
    problems = TextField(verbose_name=_l("存在问题分析"))
    improvement = TextField(verbose_name=_l("改善方案"))
    approved_by = staff_field(_l("企业领导审批"))
    approved_at = DateTimeField(null=True, verbose_name=_l("审批时间"))


class FollowUpReview(RegisterEntry):
    """回访工作总体评定汇报: the sales department's quarterly review of follow-up work."""

    record_name = _l("回访工作总体评定汇报")
    title_field = "quarter"
    quarter = CharField(max_length=7, verbose_name=_l("季度"), help_text=_l("如 2026-Q4"))
    submitted_on = DateField(default=lambda: now().date(), verbose_name=_l("汇报日期"))
    progress = TextField(verbose_name=_l("年度计划进度落实情况"))
    achievements = TextField(verbose_name=_l("本阶段关键成绩"))
    unresolved = TextField(default="", verbose_name=_l("尚未处理的问题"))
    improvements = TextField(default="", verbose_name=_l("需改善之处及意见提议"))


REGISTER_MODELS += [SatisfactionAnswer, SatisfactionReport, FollowUpReview]
