"""Repair rules: the work-order state machine and roles, review, fees, repeats, signatures."""
import base64
import datetime
import io
from decimal import Decimal

import pytest
from PIL import Image

from blueprints.repairs import service
from blueprints.repairs.service import RepairError
from models import FollowUp, RepairRequest, ServiceItem, WorkOrder
from services import settings as settings_service
from services import signatures, workdays

D = datetime.datetime


def png_data_url(size=(120, 40)):
    buffer = io.BytesIO()
    Image.new("RGB", size, "white").save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()


@pytest.fixture
def tap(database):
    return ServiceItem.create(name="更换水龙头", fee=Decimal("50.00"), labour_minutes=30)


def request_(users, item=None, location="3栋2单元1201", at=D(2026, 11, 2, 9, 0), area="unit",
             preferred_at=None):
    return service.register_request(RepairRequest(
        received_at=at, location=location, content="厨房水龙头漏水", item=item, area=area,
        preferred_at=preferred_at), users["desk"])


def run(order, users, *steps, **kwargs):
    settings = settings_service.load()
    for action, role in steps:
        service.step(order, action, users[role], settings, **kwargs.get(action, {}))


def test_happy_path_with_fee_signature_and_followup(users, tap):
    order = request_(users, item=tap)
    assert order.serial == "WX-202611-0001" and order.state == "reported"
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"), ("start", "engineer"),
        dispatch={"engineer": users["engineer"]})
    service.add_item(order, users["engineer"], service_item=tap, quantity=2)
    assert order.fee_total == Decimal("100.00")
    with pytest.raises(RepairError, match="须先经主管评审"):  # free text only after a review
        service.add_item(order, users["engineer"], description="顺便修门", unit_fee="30")
    run(order, users, ("complete", "engineer"), ("sign", "desk"),
        sign={"signature": signatures.decode(png_data_url())})
    stored = WorkOrder.get_by_id(order.id)
    assert stored.state == "completed" and bytes(stored.signature).startswith(b"\x89PNG")
    assert stored.acknowledged_at and stored.accepted_at
    assert FollowUp.get(FollowUp.source == "repair").source_id == order.id


@pytest.mark.parametrize("done, action, role, message", [
    ([], "acknowledge", "engineer", "不能接单"),
    ([("dispatch", "desk")], "dispatch", "engineer", "您不能对此工单执行“派单”"),
    ([("dispatch", "desk")], "complete", "engineer", "不能完工待验收"),
    ([("dispatch", "desk"), ("acknowledge", "engineer")], "approve", "manager", "不能评审通过"),
    ([("dispatch", "desk"), ("acknowledge", "engineer")], "sign", "desk", "不能验收签字"),
    ([], "cancel", "engineer", "您不能对此工单执行“取消”"),
])
def test_illegal_steps(users, tap, done, action, role, message):
    order = request_(users, item=tap)
    run(order, users, *done)
    with pytest.raises(RepairError) as refused:
        service.step(order, action, users[role], settings_service.load(), reason="x")
    assert message in str(refused.value)


def test_engineer_cannot_take_a_job_dispatched_to_someone_else(users, tap):
    from services import accounts
    other = accounts.create_user("engineer2", "工程乙", "engineer", "secret-pass-2")
    order = request_(users, item=tap)
    run(order, users, ("dispatch", "desk"), dispatch={"engineer": other})
    with pytest.raises(RepairError):
        service.step(order, "acknowledge", users["engineer"], settings_service.load())
    queued = request_(users, item=tap, location="5栋101")
    run(queued, users, ("dispatch", "desk"))  # to the queue: anyone in engineering may take it
    service.step(queued, "acknowledge", users["engineer"], settings_service.load())
    assert queued.engineer_id == users["engineer"].id


def test_job_outside_the_list_goes_to_review(users):
    order = request_(users, item=None)
    assert order.outside_list
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"))
    settings = settings_service.load()
    assert "start" not in service.allowed_actions(order, users["engineer"], settings)
    run(order, users, ("submit_review", "engineer"))
    with pytest.raises(RepairError, match="您不能"):
        service.step(order, "approve", users["engineer"], settings, reason="可以做")
    with pytest.raises(RepairError, match="答复"):
        service.step(order, "approve", users["manager"], settings, reason="")
    with pytest.raises(RepairError, match="维修中"):
        service.add_item(order, users["engineer"], description="疏通下水道", unit_fee="80")
    service.step(order, "approve", users["manager"], settings, reason="同意，收费 80 元")
    assert order.state == "in_progress"
    service.add_item(order, users["engineer"], description="疏通下水道", unit_fee="80")
    assert order.fee_total == Decimal("80.00")


def test_declined_review_refuses_the_job(users):
    order = request_(users, item=None)
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"),
        ("submit_review", "engineer"), ("decline", "gm"),
        decline={"reason": "属开发商保修范围，请联系开发商"})
    assert order.state == "refused" and "开发商" in order.review_reply


def test_named_reviewer_setting(users):
    settings_service.store({"repair_reviewers": ["engineer"]})
    order = request_(users, item=None)
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"),
        ("submit_review", "engineer"))
    settings = settings_service.load()
    assert "approve" in service.allowed_actions(order, users["engineer"], settings)
    assert "approve" not in service.allowed_actions(order, users["manager"], settings)


def test_sign_needs_signature_or_paper_and_cancel_needs_reason(users, tap):
    order = request_(users, item=tap)
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"), ("start", "engineer"))
    service.add_item(order, users["engineer"], service_item=tap)
    run(order, users, ("complete", "engineer"))
    with pytest.raises(RepairError, match="签名"):
        run(order, users, ("sign", "desk"))
    run(order, users, ("sign", "desk"), sign={"on_paper": True})
    assert order.signed_on_paper and order.signature is None
    other = request_(users, item=tap, location="9栋")
    with pytest.raises(RepairError, match="取消原因"):
        run(other, users, ("cancel", "desk"), cancel={"reason": " "})
    run(other, users, ("cancel", "desk"), cancel={"reason": "客户已自行修好"})
    assert other.state == "cancelled"


def test_fee_computation():
    class Line:
        def __init__(self, fee, qty):
            self.unit_fee, self.quantity = fee, qty
    assert service.fee([Line("50.00", 2), Line("12.50", 3)]) == Decimal("137.50")
    assert service.fee([]) == Decimal("0.00")


def complete(order, users, tap, at):
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"), ("start", "engineer"))
    service.add_item(order, users["engineer"], service_item=tap)
    run(order, users, ("complete", "engineer"), ("sign", "desk"),
        sign={"on_paper": True, "at": at})


def test_repeat_repair_flag_at_five_and_seven_months(users, tap):
    first = request_(users, item=tap, location="3栋2单元1201", at=D(2026, 1, 10, 9, 0))
    complete(first, users, tap, D(2026, 1, 11, 9, 0))
    five = request_(users, item=tap, location="3-2-1201", at=D(2026, 6, 11, 9, 0))
    assert five.request.repeat_of_id == first.request_id
    seven = request_(users, item=tap, location="3栋2单元1201", at=D(2026, 8, 11, 9, 0))
    assert seven.request.repeat_of_id is None
    other_item = ServiceItem.create(name="疏通下水道", fee=80)
    assert request_(users, item=other_item, at=D(2026, 2, 1)).request.repeat_of_id is None
    assert request_(users, item=tap, location="4栋101", at=D(2026, 2, 1)).request.repeat_of_id \
        is None


def test_add_months_clamps():
    assert workdays.add_months(D(2026, 8, 31), 6) == D(2027, 2, 28)
    assert workdays.add_months(D(2026, 1, 10, 9), 6) == D(2026, 7, 10, 9)


def test_signature_validation():
    assert signatures.decode(png_data_url()).startswith(b"\x89PNG")
    for bad in ("", "data:image/jpeg;base64,/9j/4AAQ", "data:image/png;base64,!!!",
                "data:image/png;base64," + base64.b64encode(b"GIF89a....").decode(),
                "data:image/png;base64," + base64.b64encode(b"\x89PNG\r\n\x1a\nbroken").decode()):
        with pytest.raises(signatures.SignatureError):
            signatures.decode(bad)
    big = "data:image/png;base64," + base64.b64encode(
        b"\x89PNG\r\n\x1a\n" + b"\0" * (signatures.SIGNATURE_MAX + 1)).decode()
    with pytest.raises(signatures.SignatureError, match="200 KB"):
        signatures.decode(big)


def test_public_area_deadline(users, tap):
    order = request_(users, item=tap, area="public", location="3栋大堂",
                     preferred_at=D(2026, 11, 3, 14, 0))
    assert order.deadline == D(2026, 11, 3, 14, 0)
    assert not service.is_overdue(order, D(2026, 11, 3, 13, 0))
    assert service.is_overdue(order, D(2026, 11, 3, 15, 0))
    run(order, users, ("dispatch", "desk"), ("acknowledge", "engineer"), ("start", "engineer"),
        start={"at": D(2026, 11, 3, 13, 30)})
    assert not service.is_overdue(order, D(2026, 11, 3, 15, 0))
    assert request_(users, item=tap).deadline is None  # in-unit jobs have no such deadline
