"""A believable month of a property office and a shop, for `flask demo-data` and `make run`."""
import datetime
import random
from decimal import Decimal

from blueprints.registers import demo as registers
from models import (
    Complaint,
    Customer,
    CustomerVisit,
    Delivery,
    EmergencyContact,
    Gift,
    Handover,
    Purchase,
    RepairRequest,
    ReturnLine,
    ReturnRequest,
    ServiceItem,
    User,
    VipCard,
    Visit,
    clock,
    db,
)
from models.customers import Status, Tier
from models.repairs import IN_PROGRESS
from models.users import ADMIN, DESK, ENGINEER, GM, MANAGER, SALES
from services import accounts, timeline
from services import settings as settings_service

DEMO_PASSWORD = "counter-demo-26"
DEMO_USERS = [
    ("desk", "王小芳", DESK, "客服部"),
    ("desk2", "孙丽", DESK, "客服部"),
    ("desk3", "吴静", DESK, "客服部"),
    ("desk4", "郑海燕", DESK, "客服部"),
    ("desk5", "冯晓东", DESK, "客服部"),
    ("desk6", "何欣怡", DESK, "客服部"),
    ("desk7", "高俊杰", DESK, "客服部"),
    ("sales", "李明", SALES, "销售部"),
    ("sales2", "赵丽", SALES, "销售部"),
    ("engineer", "陈建国", ENGINEER, "工程部"),
    ("manager", "刘经理", MANAGER, "客服部"),
    ("gm", "周总", GM, "总经理室"),
    ("admin", "系统管理员", ADMIN, "行政部"),
]

SURNAMES = "张王李赵刘陈杨黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史顾侯邵孟龙万段雷钱汤尹黎易常武乔贺赖龚文"
GIVEN = ["伟", "芳", "娜", "秀英", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛",
         "明", "超", "秀兰", "霞", "平", "刚", "桂英", "建华", "文", "华", "红", "志强", "海燕", "晓东",
         "子涵", "浩然", "欣怡", "宇轩", "梓萱", "俊杰", "雨桐", "思远", "佳怡", "嘉豪"]
COMPANIES = ["华润便利店", "美佳干洗", "顺达快递驿站", "康宁药房", "鑫源五金", "绿叶花店", "金鼎律师事务所",
             "博雅教育", "嘉禾餐饮管理有限公司", "天成装饰工程有限公司"]
RELATIONS = ["配偶", "父亲", "母亲", "儿子", "女儿", "兄弟", "姐妹", "朋友"]
PLATE_PREFIX = ["粤B", "粤A", "湘A", "赣B", "京N"]


def person_name(rng):
    return rng.choice(SURNAMES) + rng.choice(GIVEN)


def mobile(rng):
    return rng.choice(["138", "139", "135", "136", "137", "150", "151", "158", "186", "188",
                       "177", "199"]) + f"{rng.randrange(10 ** 8):08d}"


def create_users():
    """One user per role (and a second salesperson), all with DEMO_PASSWORD."""
    users = {}
    for username, name, role, department in DEMO_USERS:
        user = User.get_or_none(User.username == username)
        if user is None:
            user = accounts.create_user(username, name, role, DEMO_PASSWORD, department=department)
        users[username] = user
    return users


def fill(seed=2026, customers=60, today=None):
    """A month of an office: users, customers, visitors, complaints, repairs, VIP members, and a
    week of every register."""
    rng = random.Random(seed)
    today = today or clock.today()
    users = fill_customers(rng, customers, today)
    with db.atomic():
        residents = list(Customer.select().where(Customer.kind == "resident"))
        fill_visits(rng, users, residents, today)
        fill_repairs(rng, users, residents, today)
        fill_complaints(rng, users, residents, today)
        fill_vip(rng, users, today)
        fill_desk(rng, users, residents, today)
        fill_rota(users, today)
        fill_visits_and_returns(rng, users, residents, today)
        fill_outbox(today)
        registers.fill(rng, users, residents, list(Customer.select().where(
            Customer.kind.in_(["company", "dealer"]))), today)
        fill_self_registration(users, residents, today)
    return users


def fill_customers(rng, customers, today):
    """Users and customers of every kind with emergency contacts, spread over the past month."""
    with db.atomic():
        users = create_users()
        owners = [users["sales"], users["sales2"], users["desk"]]
        for index in range(customers):
            kind = rng.choices(["resident", "company", "dealer", "shopper"], [6, 2, 1, 3])[0]
            when = datetime.datetime.combine(today - datetime.timedelta(days=rng.randrange(30)),
                                             datetime.time(rng.randrange(8, 19), rng.randrange(60)))
            contact = person_name(rng)
            if index == 0:  # the README's search example: zs finds 张三
                kind, contact = "resident", "张三"
            customer = Customer(
                kind=kind,
                name=rng.choice(COMPANIES) if kind in ("company", "dealer") else contact,
                contact_person=contact if kind in ("company", "dealer") else "",
                phone=mobile(rng),
                building=f"{rng.randrange(1, 12)}栋" if kind == "resident" else "",
                unit=f"{rng.randrange(1, 4)}单元" if kind == "resident" else "",
                room=f"{rng.randrange(2, 33)}{rng.randrange(1, 5):02d}" if kind == "resident" else "",
                address="" if kind == "resident" else f"深圳市南山区科技园{rng.randrange(1, 200)}号",
                plate=(rng.choice(PLATE_PREFIX) + f"{rng.randrange(10 ** 5):05d}")
                if rng.random() < 0.3 else "",
                owner=rng.choice(owners) if kind != "resident" else None,
                status=rng.choices(list(Status), [3, 6, 1])[0],
                tier=rng.choice([Tier.STRATEGIC, Tier.KEY, Tier.GENERAL, Tier.GENERAL,
                                 Tier.RESERVE, ""]),
                grade=rng.choice(["A", "B", "C", ""]),
                source=rng.choice(["来电", "来访", "转介绍", "网络"]),
                contract_date=(when.date() if rng.random() < 0.5 else None),
                created_at=when,
            )
            if customer.contract_date and customer.contract_date.day % 2 and \
                    customer.contract_date + datetime.timedelta(days=20) <= today:
                customer.handed_over_on = customer.contract_date + datetime.timedelta(days=20)
            customer.save()
            timeline.add(customer, "archive", f"{customer.name} {customer.unit_label}".strip(),
                         ref_id=customer.id, at=when)
            for _ in range(rng.choice([0, 1, 1, 2])):
                EmergencyContact.create(customer=customer, name=person_name(rng),
                                        relation=rng.choice(RELATIONS), phone=mobile(rng))
    return users


def _moment(rng, today, days_back, start_hour=8, end_hour=19):
    day = today - datetime.timedelta(days=days_back)
    return datetime.datetime.combine(day, datetime.time(rng.randrange(start_hour, end_hour),
                                                        rng.randrange(60)))


PURPOSES = ["探亲", "送快递", "看房", "装修施工", "拜访业主", "面试", "送外卖", "维修上门"]


def fill_visits(rng, users, residents, today):
    """About five visitors a day; some at night; a few still inside today."""
    from blueprints.reception import service as reception
    settings = settings_service.load()
    staff = [users["desk"], users["sales"], users["manager"]]
    for days_back in range(29, -1, -1):
        for number in range(rng.randrange(3, 8)):
            night = rng.random() < 0.15
            arrived = _moment(rng, today, days_back, 20 if night else 8, 24 if night else 20)
            if days_back == 0:  # this morning, the first two still inside
                night = False
                arrived = clock.now() - datetime.timedelta(minutes=rng.randrange(5, 120))
            if arrived > clock.now():
                continue
            host = rng.choice(staff)
            resident = rng.choice(residents) if residents and rng.random() < 0.6 else None
            visit = Visit(name=person_name(rng), phone=mobile(rng), headcount=rng.choice([1, 1, 2]),
                          purpose=rng.choice(PURPOSES), arrived_at=arrived, host=host,
                          reception_class=rng.choices("ABC", [1, 3, 8])[0],
                          visitee=resident.unit_label if resident else "",
                          visitee_customer=resident,
                          plate=(rng.choice(PLATE_PREFIX) + f"{rng.randrange(10 ** 5):05d}")
                          if rng.random() < 0.2 else "")
            reception.register_visit(visit, host, settings)
            left = arrived + datetime.timedelta(minutes=rng.randrange(10, 180))
            if days_back or (number >= 2 and left < clock.now()):
                reception.sign_out(visit, host, at=left)


SERVICE_ITEMS = [("更换水龙头", "50"), ("疏通下水道", "80"), ("更换灯具", "30"), ("维修门锁", "60"),
                 ("更换插座开关", "25"), ("维修马桶水箱", "45"), ("空调清洗", "120")]
PROBLEMS = {"更换水龙头": "厨房水龙头漏水", "疏通下水道": "卫生间下水道堵塞", "更换灯具": "客厅吊灯不亮",
            "维修门锁": "入户门锁打不开", "更换插座开关": "卧室插座松动", "维修马桶水箱": "马桶一直流水",
            "空调清洗": "空调有异味"}


def fill_repairs(rng, users, residents, today):
    """Twenty repair requests in every state, with fees, materials and signatures on paper."""
    from blueprints.repairs import service as repairs
    settings = settings_service.load()
    items = [ServiceItem.get_or_create(name=name, defaults={"fee": fee})[0]
             for name, fee in SERVICE_ITEMS]
    for index in range(20):
        at = _moment(rng, today, rng.randrange(0, 28))
        public = rng.random() < 0.25
        item = rng.choice(items) if rng.random() < 0.85 else None
        resident = rng.choice(residents) if residents and not public else None
        request = RepairRequest(
            received_at=at, customer=resident,
            contact_name=resident.name if resident else person_name(rng),
            contact_phone=resident.phone if resident else mobile(rng),
            location=resident.unit_label if resident else f"{rng.randrange(1, 12)}栋大堂",
            area="public" if public else "unit", item=item,
            content=PROBLEMS[item.name] if item else "阳台防水层开裂渗水",
            preferred_at=at + datetime.timedelta(hours=rng.randrange(2, 30)) if public else None)
        order = repairs.register_request(request, users["desk"])
        stage = rng.randrange(6)
        step_at = at
        for action, who in (("dispatch", "desk"), ("acknowledge", "engineer"),
                            ("submit_review" if order.outside_list else "start", "engineer")):
            if stage <= 0:
                break
            stage -= 1
            step_at += datetime.timedelta(minutes=rng.randrange(10, 120))
            repairs.step(order, action, users[who], settings, at=step_at)
        if order.state == IN_PROGRESS and stage > 0:
            repairs.add_item(order, users["engineer"], service_item=item, quantity=1)
            step_at += datetime.timedelta(hours=1)
            repairs.step(order, "complete", users["engineer"], settings, at=step_at)
            if stage > 1:
                repairs.step(order, "sign", users["engineer"], settings, on_paper=True,
                             at=step_at + datetime.timedelta(minutes=10))


COMPLAINTS = [("服务质量", "保安夜间巡逻不到位"), ("维修质量", "报修后三天无人上门"),
              ("服务质量", "前台电话长时间无人接听"), ("产品质量", "新买的电水壶漏水"),
              ("建议或批评", "建议增设电动车充电桩"), ("销售合同", "合同约定的车位未交付")]


def fill_complaints(rng, users, residents, today):
    """A dozen complaints at every step, one of them major, some closed with a follow-up."""
    from blueprints.complaints import service as complaints
    flow = [("classify", "manager", {"nature": "服务", "cause_kind": "non_quality",
                                     "responsible_dept": "客服部"}),
            ("investigate", "desk", {"cause": "人手不足", "responsible_party": "客服部",
                                     "solution": "调整排班并致歉", "claim_amount": 0}),
            ("approve", "gm", {"approval_comment": "同意"}),
            ("reply", "desk", {"reply_method": "phone", "reply_note": "已电话告知处理结果"}),
            ("follow_up", "desk", {"satisfaction": 4}),
            ("close", "manager", {"summary": "已处理完毕", "corrective_action": "纳入月度培训"})]
    for index in range(12):
        category, content = rng.choice(COMPLAINTS)
        resident = rng.choice(residents) if residents else None
        at = _moment(rng, today, rng.randrange(1, 27))
        complaint = Complaint(received_at=at, complainant=resident.name if resident else
                              person_name(rng), phone=resident.phone if resident else mobile(rng),
                              customer=resident, category=category, content=content,
                              severity="major" if index == 0 else "general",
                              channel=rng.choice(["phone", "visit", "online"]),
                              check_heard=True, check_asked=True, check_recorded=True)
        complaints.intake(complaint, users["desk"])
        complaints.record_onsite(complaint, users["engineer"],
                                 at=at + datetime.timedelta(minutes=rng.randrange(20, 90)))
        # Each step within its deadline: an hour or three after the one before.
        step_at = at
        for action, who, data in flow[:rng.randrange(2, len(flow) + 1)]:
            step_at += datetime.timedelta(minutes=rng.randrange(40, 180))
            if step_at > clock.now():
                break
            complaints.apply(complaint, action, users[who], at=step_at, **data)
        # Progress to the customer twice in every 7 days while the complaint is open.
        end = complaint.closed_at or clock.now()
        report_at = at + datetime.timedelta(days=1)
        while report_at < end:
            complaints.record_progress(complaint, users["desk"], "phone", "告知处理进展",
                                       at=report_at)
            report_at += datetime.timedelta(days=3)


def fill_vip(rng, users, today):
    """Fifteen members with purchases, a few gifts, one birthday tomorrow."""
    from blueprints.vip import service as vip
    settings = settings_service.load()
    for name, points, stock in (("环保购物袋", 5, 50), ("保温杯", 20, 10), ("电饭煲", 80, 2)):
        Gift.get_or_create(name=name, defaults={"points": points, "stock": stock})
    for index in range(15):
        name = person_name(rng)
        phone = mobile(rng)
        birthday = (today + datetime.timedelta(days=1)).replace(year=1988) if index == 0 else \
            datetime.date(rng.randrange(1960, 2002), rng.randrange(1, 13), rng.randrange(1, 29))
        customer = Customer.create(name=name, phone=phone, kind="shopper",
                                   status=Status.COOPERATING, source="会员")
        card = vip.enrol(VipCard(customer=customer, name=name, phone=phone, birthday=birthday,
                                 gender=rng.choice("FM"), handbook_given=True), users["desk"],
                         settings, today=today - datetime.timedelta(days=rng.randrange(0, 300)))
        for _ in range(rng.randrange(1, 6)):
            vip.record_purchase(Purchase(receipt_no=f"R{rng.randrange(10 ** 8):08d}", card=card,
                                         at=_moment(rng, today, rng.randrange(0, 28)),
                                         amount_before=Decimal(rng.randrange(80, 1500)),
                                         receipt_signed=True), users["desk"], settings)


def fill_rota(users, today):
    """This month's rota for the seven desk staff: two on 白班, two on 晚班 and two on 常班
    each day, and four rest days each (seed 004)."""
    from blueprints.reception.shifts import REST_DAYS, month_days
    from models import RotaEntry
    desk = [users[name] for name, _n, role, _d in DEMO_USERS if role == DESK]
    pattern = ["day", "day", "night", "night", "regular", "regular", "rest"]
    for position, person in enumerate(desk):
        offset = (position - (today.day - 1)) % 7  # (王小芳 on today's 白班: she takes the handover)
        rests = 0
        for index, day in enumerate(month_days(today.year, today.month)):
            shift = pattern[(index + offset) % 7]
            if shift == "rest":
                rests += 1
                shift = "rest" if rests <= REST_DAYS else "regular"
            RotaEntry.create(user=person, day=day, shift=shift)


def fill_desk(rng, users, residents, today):
    """Today's rotation, two follow-ups due and a night handover waiting to be acknowledged."""
    from blueprints.reception import service as reception
    from services.customers import create_followup
    for user in (users["sales"], users["sales2"], users["desk"]):
        reception.add_to_rotation(today, user)
    if residents:
        create_followup("入住满一年回访", today, customer=rng.choice(residents),
                                  assigned_to=users["desk"])
    Handover.create(shift="night", author=users["manager"], items="3栋电梯异响已报修，请跟进\n快递柜故障",
                    prospects="李先生 下午来看房", at=datetime.datetime.combine(
                        today, datetime.time(7, 50)))


def fill_visits_and_returns(rng, users, residents, today):
    """Customer visits (two held with their notes, two booked) and returns at each stage."""
    from blueprints.complaints import returning
    from services import audit
    if not residents:
        return
    for days, done in ((-6, True), (-2, True), (1, False), (3, False)):
        customer = rng.choice(residents)
        planned = datetime.datetime.combine(today + datetime.timedelta(days=days),
                                            datetime.time(rng.choice([10, 14, 16])))
        visit = CustomerVisit(customer=customer, staff=users["sales"], planned_at=planned,
                              place=customer.unit_label or "客服中心", purpose="例行拜访，了解居住感受")
        if done:
            visit.state, visit.visited_at = "done", planned
            visit.participants, visit.opinions = f"{customer.name}、{users['sales'].display_name}", \
                "对保洁满意，反映地下车库照明不足"
            visit.requests = "车库增加照明"
        audit.save(visit, users["sales"])
    for days_back, steps in ((9, ["approve", "receive", "inspect", "settle"]),
                             (4, ["approve", "receive"]), (1, [])):
        customer = rng.choice(residents)
        at = _moment(rng, today, days_back)
        request = ReturnRequest(customer=customer, customer_name=customer.name,
                                area_manager="陈经理",
                                purchase_date=max(at.date() - datetime.timedelta(days=20),
                                                  at.date().replace(month=1, day=1)),
                                requested_at=at, reason="收到的商品外包装破损，要求换货",
                                quality=days_back == 9)
        returning.create_return(request, [ReturnLine(item="电热水壶", quantity=1,
                                                     unit_price=Decimal("129.00"))], users["desk"])
        for step in steps:
            at += datetime.timedelta(hours=rng.randrange(3, 20))
            returning.return_step(request, step, users["desk"], note="已核对", at=at)


def fill_outbox(today):
    """The outbox with one notice the group robot took and one it refused, as the admin sees."""
    major = Complaint.select().where(Complaint.severity == "major").first()
    if major is None:
        return
    body = f"重大投诉 {major.serial}：{major.content[:60]}"
    Delivery.create(channel="wecom", address="https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
                    body=body, state="sent", attempts=1, reply='{"errcode":0,"errmsg":"ok"}',
                    sent_at=major.received_at + datetime.timedelta(seconds=2))
    Delivery.create(channel="wecom", address="https://qyapi.weixin.qq.com/cgi-bin/webhook/send",
                    body=f"催办：投诉 {major.serial} 已超期，请尽快处理", state="failed", attempts=4,
                    reply='HTTP 200 {"errcode":93000,"errmsg":"invalid webhook url"}')
    # The GM hears of the major complaint by SMS and e-mail too (always, on every channel).
    Delivery.create(channel="sms", address="13800000009", body=body, state="sent", attempts=1,
                    reply='{"code": 0, "msg": "发送成功", "count": 1, "sid": 9527}',
                    sent_at=major.received_at + datetime.timedelta(seconds=3))
    Delivery.create(channel="email", address="gm@example.cn", body=body, state="failed",
                    attempts=4, reply="550 5.1.1 mailbox unavailable")


def fill_self_registration(users, residents, today):
    """Visitors who registered on their phones: two waiting at the desk (one invited), one
    confirmed with its pass, and an invitation for tomorrow."""
    from blueprints.reception import selfreg
    if not residents:
        return
    desk, resident = users["desk"], residents[0]
    host = f"{resident.unit_label} {resident.name}".strip()
    today_invite = selfreg.invite(desk, today, host, host_customer=resident,
                                  visitor_name="周快递", purpose="送大件家具", headcount=2)
    selfreg.invite(desk, today + datetime.timedelta(days=1), "销售部", host_staff=users["sales"],
                   visitor_name="吴先生", purpose="看样板间")
    arrived = selfreg.submit("郑访客", "13955550001", "物业管理处", "咨询停车月卡", "", 1)
    selfreg.confirm(arrived, desk, settings_service.load())
    selfreg.submit("周快递", "13955550002", host, "送大件家具", "粤B7M2Q9", 2, today_invite)
    selfreg.submit("冯女士", "13955550003", "5栋0802", "探亲", "", 1)
