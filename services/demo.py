"""A believable month of a property office and a shop, for `flask demo-data` and `make run`."""
import datetime
import random

from models import Customer, EmergencyContact, User, db
from models.users import ADMIN, DESK, ENGINEER, GM, MANAGER, SALES

from . import accounts, timeline

DEMO_PASSWORD = "demo1234"
DEMO_USERS = [
    ("desk", "王小芳", DESK, "客服部"),
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
    """Users, customers of every kind with emergency contacts, spread over the past month."""
    rng = random.Random(seed)
    today = today or datetime.date.today()
    with db.atomic():
        users = create_users()
        owners = [users["sales"], users["sales2"], users["desk"]]
        for index in range(customers):
            kind = rng.choices(["resident", "company", "dealer", "shopper"], [6, 2, 1, 3])[0]
            when = datetime.datetime.combine(today - datetime.timedelta(days=rng.randrange(30)),
                                             datetime.time(rng.randrange(8, 19), rng.randrange(60)))
            contact = person_name(rng)
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
                status=rng.choices(["potential", "cooperating", "lapsed"], [3, 6, 1])[0],
                tier=rng.choice(["strategic", "key", "general", "general", "reserve", ""]),
                grade=rng.choice(["A", "B", "C", ""]),
                source=rng.choice(["来电", "来访", "转介绍", "网络"]),
                contract_date=(when.date() if rng.random() < 0.5 else None),
                created_at=when,
            )
            customer.save()
            timeline.add(customer, "archive", f"{customer.name} {customer.unit_label}".strip(),
                         ref_id=customer.id, at=when)
            for _ in range(rng.choice([0, 1, 1, 2])):
                EmergencyContact.create(customer=customer, name=person_name(rng),
                                        relation=rng.choice(RELATIONS), phone=mobile(rng))
    return users
