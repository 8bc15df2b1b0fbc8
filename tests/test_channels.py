"""Issue 23: urgent notices go out through the office's 企业微信 group robot, tested against a
real local HTTP server speaking the robot's documented protocol; the outbox stays honest."""
import datetime
import json
import time

import pytest
from werkzeug import Response

from blueprints.complaints import service as complaints
from models import AuditEntry, Complaint, Delivery
from services import channels
from services import settings as settings_service

ROBOT = "/cgi-bin/webhook/send"


def major(users):
    return complaints.intake(Complaint(
        received_at=datetime.datetime(2026, 11, 23, 9, 0), complainant="张三",
        phone="13800000000", content="电梯困人一小时", category="服务质量",
        region="in_province", severity="major"), users["desk"])


@pytest.fixture
def robot(httpserver, database):
    """The robot's address on the local server, stored as the site's setting."""
    settings_service.store({"wecom_webhook_url": httpserver.url_for(ROBOT) + "?key=abc-123"})
    return httpserver


def test_a_major_complaint_reaches_the_group_robot_and_is_marked_sent(users, robot):
    robot.expect_oneshot_request(ROBOT, method="POST", query_string="key=abc-123").respond_with_json(
        {"errcode": 0, "errmsg": "ok"})
    complaint = major(users)
    robot.check_assertions()
    (request, _response), = robot.log
    assert request.headers["Content-Type"].startswith("application/json")
    assert json.loads(request.get_data()) == {
        "msgtype": "text",
        "text": {"content": f"重大投诉 {complaint.serial}：电梯困人一小时"}}
    delivery = Delivery.get()
    assert (delivery.channel, delivery.state, delivery.attempts) == ("wecom", "sent", 1)
    assert json.loads(delivery.reply) == {"errcode": 0, "errmsg": "ok"}


@pytest.mark.parametrize("answer, reason", [
    (Response(json.dumps({"errcode": 93000, "errmsg": "invalid webhook url"}), 200,
              content_type="application/json"), "93000"),
    (Response("upstream down", 502), "HTTP 502"),
    (Response("<html>portal</html>", 200, content_type="text/html"), "HTTP 200"),
])
def test_a_refusal_is_never_marked_sent(users, robot, answer, reason):
    robot.expect_request(ROBOT, method="POST").respond_with_response(answer)
    major(users)
    delivery = Delivery.get()
    # The queue will try again (the first attempt made in-process left it "retrying").
    assert (delivery.state, delivery.attempts) == ("retrying", 1) and reason in delivery.reply
    assert delivery.sent_at is None
    # The last attempt fails it for good, with the reason.
    channels.deliver(delivery, final=True)
    delivery = Delivery.get()
    assert (delivery.state, delivery.attempts) == ("failed", 2) and reason in delivery.reply


def test_a_gateway_that_does_not_answer_in_time_is_a_failure(users, robot, monkeypatch):
    monkeypatch.setattr(channels, "TIMEOUT", 0.3)  # (the setting, shortened for the test)
    robot.expect_request(ROBOT, method="POST").respond_with_handler(
        lambda request: (time.sleep(1), Response(json.dumps({"errcode": 0})))[1])
    major(users)
    delivery = Delivery.get()
    assert delivery.state == "retrying" and "timed out" in delivery.reply.lower()
    time.sleep(1)  # (the slow answer finishes before the server is handed to the next test)


def test_a_retry_after_success_sends_nothing_twice(users, robot):
    robot.expect_request(ROBOT, method="POST").respond_with_json({"errcode": 0, "errmsg": "ok"})
    major(users)
    delivery = Delivery.get()
    assert channels.deliver_task.call_local(delivery.id) is None
    assert len(robot.log) == 1


def test_without_a_robot_nothing_leaves_and_the_address_stays_out_of_the_audit(users, robot):
    settings_service.store({"wecom_webhook_url": ""})
    major(users)
    assert Delivery.select().count() == 0
    trail = " ".join(e.before + e.after for e in AuditEntry.select())
    assert "abc-123" not in trail and "***" in trail


def test_the_outbox_page_shows_each_notice_and_its_state_not_the_address(users, robot, login):
    robot.expect_request(ROBOT, method="POST").respond_with_json({"errcode": 93000,
                                                                  "errmsg": "invalid"})
    complaint = major(users)
    channels.deliver(Delivery.get(), final=True)
    page = login("manager").get("/admin/outbox").get_data(as_text=True)
    assert f"重大投诉 {complaint.serial}" in page and "发送失败" in page and "93000" in page
    assert "abc-123" not in page
    assert login("desk").get("/admin/outbox").status_code == 403


def test_a_delivery_not_yet_committed_is_tried_again_not_dropped(database):
    """The consumer may take the task before the transaction that wrote the row commits."""
    with pytest.raises(LookupError):
        channels.deliver_task.call_local(10 ** 9)
