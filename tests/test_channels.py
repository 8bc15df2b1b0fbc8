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


# ---- SMS and e-mail, by each person's choice -------------------------------------------------

YUNPIAN = "/v2/sms/single_send.json"


@pytest.fixture
def smtp_server():
    """A real SMTP server (aiosmtpd) on a free local port, keeping what it receives."""
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message as MessageHandler

    class Keep(MessageHandler):
        def __init__(self):
            super().__init__()
            self.received = []

        def handle_message(self, message):
            self.received.append(message)

    import socket
    with socket.socket() as probe:  # (a free port: the controller checks it by connecting)
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    handler = Keep()
    controller = Controller(handler, hostname="127.0.0.1", port=port)
    controller.start()
    controller.received = handler.received
    yield controller
    controller.stop()


def subject(mail):
    """The subject as the reader sees it (sent encoded, RFC 2047)."""
    from email.header import decode_header, make_header
    return str(make_header(decode_header(mail["Subject"])))


def _smtp_settings(server, **more):
    return dict({"smtp_host": "127.0.0.1", "smtp_port": server.port, "smtp_security": "none",
                 "smtp_from": "desk@example.cn"}, **more)


def _yunpian(httpserver):
    """云片's single-send API: a form POST of apikey, mobile and text; {"code": 0, …} when taken."""
    return {"sms_gateway_url": httpserver.url_for(YUNPIAN), "sms_format": "form",
            "sms_template": '{"apikey": "k-9f8e", "mobile": "{phone}", "text": "{text}"}',
            "sms_success": "code=0"}


def _choose(user, **kinds):
    user.notify_channels = json.dumps(kinds)
    user.save()


def test_each_person_gets_the_kinds_they_chose_on_the_channels_they_chose(
        app, users, httpserver, smtp_server, database):
    from models import Notification
    from services import notifications
    settings_service.store(dict(_yunpian(httpserver), site_url="http://192.168.1.20:5000",
                                **_smtp_settings(smtp_server)))
    httpserver.expect_request(YUNPIAN, method="POST").respond_with_json(
        {"code": 0, "msg": "发送成功", "count": 1, "fee": 0.05, "sid": 9527})
    manager, desk = users["manager"], users["desk"]
    manager.phone, manager.email = "13800000001", "wang@example.cn"
    _choose(manager, reminder=["sms", "email"], digest=["email"])
    desk.phone = "13800000002"
    _choose(desk, digest=["sms"])
    with app.app_context():  # (as in a request or the consumer)
        notifications.notify([manager, desk], "催办：投诉 %(serial)s 已超期，请尽快处理",
                             "complaints.detail", 7, kind=notifications.REMINDER, serial="TS-1")
    # In the app for both; outside only for the manager, who chose reminders, on both channels.
    assert Notification.select().count() == 2
    (request, _answer), = httpserver.log
    assert request.headers["Content-Type"].startswith("application/x-www-form-urlencoded")
    assert dict(request.form) == {
        "apikey": "k-9f8e", "mobile": "13800000001",
        "text": "催办：投诉 TS-1 已超期，请尽快处理\nhttp://192.168.1.20:5000/complaints/7"}
    mail, = smtp_server.received
    assert mail["To"] == "wang@example.cn" and mail["From"] == "desk@example.cn"
    assert subject(mail) == "催办：投诉 TS-1 已超期，请尽快处理"
    assert "http://192.168.1.20:5000/complaints/7" in mail.get_payload(decode=True).decode()
    sent = {d.channel: (d.address, d.state, d.reply) for d in Delivery.select()}
    assert sent["email"] == ("wang@example.cn", "sent", "250 OK")
    assert sent["sms"][:2] == ("13800000001", "sent")
    assert json.loads(sent["sms"][2])["sid"] == 9527  # (the gateway's reply, kept)
    assert all(d.notification.user_id == manager.id for d in Delivery.select())


def test_a_major_complaint_reaches_the_gm_on_every_channel(users, httpserver, smtp_server):
    settings_service.store(dict(_yunpian(httpserver), **_smtp_settings(smtp_server)))
    httpserver.expect_request(YUNPIAN, method="POST").respond_with_json({"code": 0})
    gm = users["gm"]
    gm.phone, gm.email = "13800000009", "gm@example.cn"
    gm.save()  # (chose nothing: the rule needs no choice)
    complaint = major(users)
    assert sorted((d.channel, d.address, d.state) for d in Delivery.select()) == [
        ("email", "gm@example.cn", "sent"), ("sms", "13800000009", "sent")]
    assert subject(smtp_server.received[0]) == f"重大投诉 {complaint.serial}：电梯困人一小时"


@pytest.mark.parametrize("answer, reason", [
    (Response(json.dumps({"code": 2, "msg": "请求的参数不正确"}), 200,
              content_type="application/json"), "请求的参数不正确"),
    (Response("", 500), "HTTP 500"),
])
def test_an_sms_gateway_refusal_is_kept_with_its_reason(users, httpserver, answer, reason):
    settings_service.store(_yunpian(httpserver))
    httpserver.expect_request(YUNPIAN, method="POST").respond_with_response(answer)
    delivery = channels.queue("sms", "13800000001", "通知")
    assert Delivery.get_by_id(delivery.id).state == "retrying"
    delivery = channels.deliver(Delivery.get_by_id(delivery.id), final=True)
    assert delivery.state == "failed" and reason in delivery.reply and delivery.sent_at is None


def test_a_refused_mail_or_a_dead_server_is_never_marked_sent(users, smtp_server, database):
    from aiosmtpd.handlers import Sink

    class Refuse(Sink):
        async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
            return "550 5.1.1 mailbox unavailable"
    smtp_server.handler = Refuse()  # (the running server asks its handler at each step)
    settings_service.store(_smtp_settings(smtp_server))
    delivery = channels.deliver(channels.Delivery.create(
        channel="email", address="nobody@example.cn", body="通知"), final=True)
    assert delivery.state == "failed" and delivery.reply.startswith("550")
    settings_service.store({"smtp_port": 9})  # nothing listens there
    delivery = channels.deliver(channels.Delivery.create(
        channel="email", address="wang@example.cn", body="通知"), final=True)
    assert delivery.state == "failed" and "Connection" in delivery.reply


def test_my_notification_choices_page(login, users, database):
    page = login("desk")
    shown = page.get("/notifications/choices").get_data(as_text=True)
    assert "我的通知方式" in shown and "本站尚未配置短信网关" in shown
    # Only the GM is told that major complaints reach them by every channel anyway.
    assert "总经理总会经所有已配置的渠道收到重大投诉" not in shown
    gm_page = login("gm").get("/notifications/choices").get_data(as_text=True)
    assert gm_page.count("总经理总会经所有已配置的渠道收到重大投诉") == 1
    saved = page.submit("/notifications/choices", {"email": "li@example.cn",
                                                   "kind_reminder": ["sms", "email"],
                                                   "kind_digest": ["email"]})
    assert saved.status_code == 302
    desk = users["desk"].get_by_id(users["desk"].id)
    assert desk.email == "li@example.cn"
    assert json.loads(desk.notify_channels)["reminder"] == ["email", "sms"]
    assert json.loads(desk.notify_channels)["digest"] == ["email"]
    # A tampered form (the group robot is no personal channel) or a bad address: refused,
    # nothing changed.
    for data in ({"kind_digest": ["wecom"]}, {"email": "not-an-address"}):
        refused = page.submit("/notifications/choices", data)
        assert refused.status_code == 422
    assert "请填写电子邮件地址" in refused.get_data(as_text=True)
    assert users["desk"].get_by_id(users["desk"].id).notify_channels == desk.notify_channels
