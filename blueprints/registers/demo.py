"""A week of entries in every register, written through each register's rules (flask demo-data)."""
import datetime
from decimal import Decimal

from models import registers as m
from models.base import literal

from .engine import REGISTERS_BY_MODEL

ITEMS = ["黑色雨伞", "蓝色保温杯", "儿童书包", "工牌（华润便利店）", "钥匙一串", "耳机"]
CALLS = [("enquiry", "询问停车月卡办理", "已告知所需材料"), ("repair", "厨房水管漏水", "已开工程修理单"),
         ("complaint", "楼上装修噪音", "已联系装修单元并登记投诉"), ("praise", "表扬保洁阿姨", "已转达")]
PROBLEMS = [("访客不愿出示证件", "解释制度并请被访业主到前台确认"),
            ("快递柜满，包裹无处存放", "临时存放前台并登记信件登记本"),
            ("业主要求查看监控", "按制度须经理批准，已登记特别事务")]


def _write(model, user, **values):
    """One entry, through its register's rules."""
    return REGISTERS_BY_MODEL[model].write(model(entered_by=user.id, **values), user, new=True)


def fill(rng, users, residents, companies, today):
    """Entries dated over the seven days up to `today` in each register, for the demo."""
    desk, engineer = users["desk"], users["engineer"]
    days = [today - datetime.timedelta(days=n) for n in range(6, -1, -1)]

    def at(day, hour=None):
        return datetime.datetime.combine(day, datetime.time(hour or rng.randrange(8, 19),
                                                            rng.randrange(60)))
    tenants = residents[:7]
    for n, (day, tenant) in enumerate(zip(days, tenants)):
        space = f"B2-{n + 1:03d}"
        sale = n % 3 == 0
        _write(m.ParkingDeal, desk, space=space, kind="sale" if sale else "rent",
               customer=tenant, plate=tenant.plate, starts_on=day,
               ends_on=None if sale else day + datetime.timedelta(days=364),
               price=Decimal("180000" if sale else "450"))
        _write(m.ParkingPermit, desk, space=space, plate=tenant.plate or f"粤B{10000 + n * 7}",
               customer=tenant, issued_on=day,
               valid_until=day + datetime.timedelta(days=180), fee=Decimal("20"))
        _write(m.SpaceApplication, desk, customer=residents[-1 - n], wants="rent",
               applied_on=day, plate=f"粤B{52000 + n}")
        _write(m.BikePlate, desk, plate_no=f"FJD-{day:%m%d}-{n}", bike=rng.choice(
            ["bicycle", "ebike"]), customer=tenant, owner=tenant.name, issued_on=day,
               phone=tenant.phone, fee=Decimal("10"))
        _write(m.SpecialMatter, desk, happened_at=at(day), place=rng.choice(
            ["大堂", "地下车库", "3栋电梯厅"]), customer=tenant,
               matter=rng.choice(["业主反映车位被占用", "消防通道堆放杂物", "夜间有陌生人徘徊"]),
               handling="已通知保安巡查并拍照留存", handled_by=desk.id, result="已处理")
        _write(m.CallLog, desk, at=at(day), caller=tenant.name, phone=tenant.phone,
               customer=tenant, topic=CALLS[n % 4][0], content=CALLS[n % 4][1],
               result=CALLS[n % 4][2], handled_by=desk.id)
        _write(m.ServiceTally, desk, day=day, staff=desk.id, visits=rng.randrange(8, 20),
               calls=rng.randrange(10, 30), served=12 + n, deals=rng.randrange(2, 8))
        _write(m.NewspaperLog, desk, received_on=day, title=rng.choice(["深圳特区报", "南方都市报"]),
               copies=rng.randrange(2, 6), customer=companies[n % len(companies)],
               delivered_to="前台信报箱", received_by=desk.id)
        mail = _write(m.MailLog, desk, received_at=at(day, 10), kind=rng.choice(
            ["letter", "registered", "express"]), addressee=tenant.name, customer=tenant,
                      sender="顺丰速运", tracking_no=f"SF{rng.randrange(10 ** 11):011d}")
        if n < 5:
            mail.collected_by, mail.collected_at = tenant.name, at(day, 18)
            mail.save()
        _write(m.LostProperty, desk, found_at=at(day), place="大堂休息区", item=ITEMS[n % 6],
               found_by="保洁员", kept_at="前台失物柜")
    for problem, method in PROBLEMS:
        _write(m.ProblemLog, desk, at=at(days[rng.randrange(7)]), problem=problem,
               method=method, raised_by=desk.id)

    for n, company in enumerate(companies[:4]):
        day = days[n]
        number = f"0755862{n:05d}"
        _write(m.PhoneNumber, desk, number=f"0755869{n:05d}", offer=rng.choice(["rent", "sale"]),
               price=Decimal("60"), listed_on=days[0])
        _write(m.PhoneInstall, desk, customer=company, number=number, applied_on=day,
               installed_on=day + datetime.timedelta(days=1), fee=Decimal("120"))
        _write(m.PhoneMove, desk, customer=company, number=number, from_place="前台",
               to_place="经理室", moved_on=days[n + 2])
        _write(m.ForeignEmployee, desk, customer=company, name=["John Smith", "Anna Müller",
                                                               "Kim Min-jun", "Sato Yuki"][n],
               nationality=["美国", "德国", "韩国", "日本"][n], passport_no=f"E{n}8{n}23456",
               position="经理", visa_until=day + datetime.timedelta(days=365), arrived_on=day)
        _write(m.ResidentCard, desk, card_no=f"YK{day:%m%d}{n:02d}", customer=company,
               holder=company.contact_person or company.name, id_number="11010519491231002X",
               issued_on=day, valid_until=day + datetime.timedelta(days=365))
        _write(m.StaffLeaver, desk, customer=company, name=f"离职员工{n + 1}", leaving=rng.choice(
            ["resigned", "dismissed"]), left_on=day, card_returned=n % 2 == 0)
    first = companies[0]
    _write(m.PhoneInstall, desk, customer=first, number="075586900000", applied_on=days[3])
    _write(m.PhoneChange, desk, customer=first, number="075586200000", change="service",
           changed_on=days[4], notes="开通来电显示")
    _write(m.PhoneTransfer, desk, number="075586200001", from_customer=companies[1],
           customer=companies[2], transferred_on=days[5], fee=Decimal("50"))
    _write(m.PhoneChange, desk, customer=companies[3], number="075586200003", change="number",
           new_number="075586200099", changed_on=days[6])
    _write(m.PhoneTransfer, desk, number="075586900000", from_customer=first,
           customer=companies[1], transferred_on=days[6])
    for day, company, name, country, chief in (
            (days[1], companies[3], "Bayer Consulting 深圳代表处", "德国", "Anna Müller"),
            (days[4], companies[2], "Kim & Partners 深圳代表处", "韩国", "Kim Min-jun")):
        _write(m.ForeignOffice, desk, customer=company, name=name, country=country,
               representative=chief, licence_no=f"粤外代字 {day:%Y}-{day:%j}", staff=6,
               registered_on=day, valid_until=day + datetime.timedelta(days=730))

    _complaint_forms(desk, users["gm"], residents, days, at)
    _archive_records(desk, users["manager"], residents, days, at)
    _duplicate_cards(users, residents, days)
    _returns(users, days, at)
    _surveys(users, residents, days)

    for n, owner in enumerate(residents[:3]):
        custody = _write(m.KeyCustody, desk, customer=owner, keys="入户门钥匙", count=2,
                         authorised=f"{owner.name}、张保洁", holder=desk.id, received_on=days[0])
        loan = _write(m.KeyLoan, desk, custody=custody, person="张保洁", id_number="440101199001011233",
                      id_checked=True, purpose="开荒保洁", out_at=at(days[n + 2], 9))
        if n:
            loan.back_at = at(days[n + 2], 17)
            loan.save()
        for earlier, reading in ((True, Decimal("1200.00")), (False, Decimal("1296.50"))):
            read = _write(m.MeterReading, engineer, customer=owner, meter="power",
                          meter_no=f"E-{owner.room or n}", read_on=days[n + (0 if earlier else 3)],
                          reading=reading + n * 31, read_by=engineer.id)
            if earlier:  # signed on the tablet; the latest wait for the customer
                read.signature, read.signed_at = scribble(rng), at(read.read_on, 11)
                read.save()


def scribble(rng):
    """A signature-like PNG, as the tablet's pad sends one."""
    import io

    from PIL import Image, ImageDraw
    image = Image.new("RGB", (300, 100), "white")
    points = [(20 + 26 * i, rng.randrange(30, 80)) for i in range(11)]
    ImageDraw.Draw(image).line(points, fill="black", width=3)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def _complaint_forms(desk, gm, residents, days, at):
    """异常处理单, 签呈 and 来函 over the week, two of each, one 签呈 decided and one letter
    answered."""
    from models import Complaint
    serials = [c.serial for c in Complaint.select(Complaint.serial).order_by(Complaint.id)
               .limit(literal(2))]
    for n, customer in enumerate(residents[3:5]):
        _write(m.AnomalyReport, desk, reported_on=days[n + 1], customer=customer,
               subject=["门禁卡偶尔刷不开", "地库照明不足"][n], department="工程部",
               details="未造成损失，客户要求改善", improvement="更换读卡器" if n == 0 else "")
        petition = _write(m.Petition, desk, submitted_on=days[n + 2], department="工程部",
                          complaint_serial=serials[n] if n < len(serials) else "",
                          subject="对责任判定有异议", statement="维修延误系配件厂家缺货所致",
                          proposal="请重新判定责任比例")
        if n == 0:
            petition.decision, petition.decided_by = "同意重新判定，由质量管理部复核", gm.id
            petition.decided_at = at(days[n + 3], 15)
            petition.save()
        letter = _write(m.LetterLog, desk, received_on=days[n + 1], sender=customer.name,
                        customer=customer, subject=["物业费收费标准疑问", "楼道堆放杂物"][n],
                        summary="来函询问并投诉", address=customer.unit_label)
        if n == 0:
            letter.reply = "经核实，收费标准按物价局备案执行，详见公告栏。"
            letter.replied_on, letter.replied_by = days[n + 2], desk.id
            letter.save()


def _archive_records(desk, manager, residents, days, at):
    """A week of fees (one unit in arrears), violations, fit-outs, file supplements and an
    outside reading of a file, approved and lent out."""
    month = f"{days[-1]:%Y-%m}"
    for n, customer in enumerate(residents[:4]):
        paid = Decimal("380.00") if n else Decimal("200.00")
        _write(m.FeeRecord, desk, customer=customer, item="management", period=month,
               amount_due=Decimal("380.00"), amount_paid=paid, paid_on=days[n + 1],
               receipt_no=f"SJ{days[n + 1]:%m%d}{n:02d}")
    for n, customer in enumerate(residents[4:6]):
        _write(m.Violation, desk, happened_on=days[n + 2], customer=customer,
               matter=["阳台违规搭建雨棚", "楼道堆放杂物"][n], handling="已发整改通知书",
               rectified_on=days[n + 4] if n == 0 else None)
        _write(m.FitOut, desk, customer=customer, contractor=["顺意装饰", "美家工程"][n],
               scope="厨卫翻新", approved_on=days[0], starts_on=days[n],
               ends_on=days[n] + datetime.timedelta(days=30), deposit=Decimal("2000"))
        _write(m.ArchiveSupplement, desk, customer=customer, added_on=days[n + 3],
               item=["新增家庭成员", "更换紧急联系人"][n], content="业主来电补充")
    loan = _write(m.ArchiveLoan, desk, customer=residents[0], requester="辖区派出所",
                  purpose="核实住户信息", requested_on=days[5], borrow=True)
    loan.approved_by, loan.approved_at = manager.id, at(days[5], 15)
    loan.save()
    _write(m.ArchiveLoan, desk, customer=residents[1], requester="律师事务所",
           purpose="诉讼取证", requested_on=days[6])


def _duplicate_cards(users, residents, days):
    """Two customers registered twice (重卡) this week: one owner had followed up in time."""
    from services import settings as settings_service

    from .service import record_duplicate
    for n, (first, second) in enumerate(((residents[6], residents[7]),
                                         (residents[8], residents[9]))):
        card = record_duplicate(first, second, users["sales2"], settings_service.load(),
                                days[n + 4])
        card.notes = "同一来电号码再次登记"
        card.save()



def _returns(users, days, at):
    """From the demo's first two closed complaints, as their 核决 set them: 成品退货单 (one signed
    for and proven, one beyond the over-acceptance ratio waiting for an instruction), their
    销货退回证明单, 销货折让证明单 at both stages, and two claims on the carrier."""
    from blueprints.complaints import outcomes
    from models import Complaint
    from models.complaints import CLOSED
    desk, sales, manager = users["desk"], users["sales"], users["manager"]
    closed = list(Complaint.select().where((Complaint.state == CLOSED) &
                                           Complaint.customer.is_null(False))
                  .order_by(Complaint.id).limit(literal(2)))
    notes = REGISTERS_BY_MODEL[m.GoodsReturnNote]
    allowances = REGISTERS_BY_MODEL[m.AllowanceNote]
    for n, complaint in enumerate(closed):
        handling, approved, actual = (("return", 20, 19), ("rework", 5, 7))[n]
        outcomes.set_outcome(complaint, manager, allowance=Decimal("300.00"),
                               **{f"{handling}_qty": approved})
        note = _write(m.GoodsReturnNote, sales, issued_on=days[2 + n],
                      complaint_serial=complaint.serial, customer=complaint.customer,
                      item="LED 筒灯 6W", approved_qty=approved, handling=handling,
                      reason=["批次光衰超标", "外观划伤"][n], basis="质量管理部检验报告")
        notes.act(note, "approve", manager)
        note.actual_qty = actual
        notes.act(note, "receive", desk)
        _write(m.ReturnCertificate, sales, issued_on=days[4 + n], return_note_no=note.note_no,
               customer=complaint.customer, invoice_no=f"4403{1234 + n}", quantity=actual,
               unit_price=Decimal("35.00"), received_qty=actual)
        allowance = _write(m.AllowanceNote, sales, issued_on=days[3 + n],
                           complaint_serial=complaint.serial, customer=complaint.customer,
                           invoice_no=f"4403{1234 + n}", item="LED 筒灯 6W", quantity=20,
                           unit_price=Decimal("35.00"), allowance_price=Decimal("10.00"))
        allowances.act(allowance, "manager", manager)
        _write(m.CarrierClaim, desk, happened_on=days[1 + n], customer=complaint.customer,
               carrier=["德邦物流", "顺丰速运"][n], waybill_no=f"DB20261120{n + 1:02d}",
               goods="LED 筒灯 6W 两箱", loss=["damage", "loss"][n],
               description=["外箱压损，内件碎裂 6 只", "运输途中丢失一箱"][n],
               amount_claimed=Decimal(["210.00", "700.00"][n]))


def _surveys(users, residents, days):
    """A questionnaire a day, this half year's report from two units (one approved), and the
    reviews of the two quarters before this one."""
    from . import surveys
    sales, gm = users["sales"], users["gm"]
    scores = ("5", "4", "4", "3", "5", "2", "4")
    for n, (day, customer) in enumerate(zip(days, residents[7:14])):
        _write(m.SatisfactionAnswer, sales, answered_on=day, customer=customer,
               method=["phone", "visit", "paper"][n % 3], quality=scores[n],
               price=scores[(n + 2) % 7], service=scores[(n + 4) % 7],
               opinions=["产品稳定", "价格偏高", "送货及时"][n % 3], surveyed_by=sales.id)
    period = surveys.half_of(days[-1])
    for n, department in enumerate(("销售部", "客服部")):
        report = _write(m.SatisfactionReport, sales, period=period, department=department,
                        submitted_on=days[-2 + n], problems="价格满意率偏低；个别送货延误",
                        improvement="与物流商重新约定时限；对重点客户执行季度价格回顾")
        if n == 0:
            REGISTERS_BY_MODEL[m.SatisfactionReport].act(report, "approve", gm)
    this = surveys.quarter_bounds(surveys.quarter_of(days[-1]))[0]
    for n in (1, 2):
        start = this
        for _step in range(n):
            start = surveys.quarter_bounds(surveys.quarter_of(start - datetime.timedelta(
                days=1)))[0]
        _write(m.FollowUpReview, sales, quarter=surveys.quarter_of(start), submitted_on=days[n],
               progress="年度回访计划按进度完成", achievements="投诉用户 100% 回访",
               unresolved="两户维修遗留问题待处理", improvements="回访后次日提交书面报告")
