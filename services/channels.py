"""Notices that leave the app: an outbox (Delivery) and the channels that carry it, each a small
adapter that says "accepted" (with the other side's reply) or raises Refused (with the reason).

- 企业微信 (WeCom) group robot ("wecom"): the documented webhook, a JSON POST of
  {"msgtype": "text", "text": {"content": …}}; the robot answers HTTP 200 with
  {"errcode": 0, "errmsg": "ok"} when it took the message, and a non-zero errcode (93000: the
  webhook is invalid, 45009: too many messages…) when it did not.
- An HTTP SMS gateway ("sms"): the request shape is a setting (sms_format: a JSON body or a
  form; sms_template: the fields, with {phone} and {text} where the number and the text go, and
  the account's keys), and so is what success looks like (sms_success: "code=0" when the
  answer's JSON field `code` must be 0; empty: any 2xx). That covers the common providers'
  single-send APIs (see the README's table).
- E-mail over SMTP ("email"): accepted when the server answered the message with 250.

A delivery is "sent" only on acceptance, with the reply kept; anything else is retried by the
queue and then "failed" with the reason.
"""
import email.policy
import json
import logging
import smtplib
import ssl
import urllib.error
import urllib.parse
import urllib.request
from email.message import EmailMessage

from models import Delivery, Message, now
from models.complaints import FAILED_DELIVERY, RETRYING, SENT
from models.vip import FAILED as MESSAGE_FAILED
from models.vip import SENT as MESSAGE_SENT

from . import tasks

log = logging.getLogger(__name__)
TIMEOUT = 5  # seconds a gateway has to answer
RETRIES, RETRY_DELAY = 3, 60
PERSONAL = ("sms", "email")  # channels that reach one person (a group robot reaches the office)


class Refused(Exception):
    """The other side did not take the message (the reason is kept on the delivery)."""


def _post(url, payload, form=False):
    """(HTTP status, the answer's JSON or None, the answer's text) of a POST of `payload` as
    JSON, or as a form."""
    if form:
        data = urllib.parse.urlencode(payload).encode()
        content_type = "application/x-www-form-urlencoded; charset=utf-8"
    else:
        data = json.dumps(payload, ensure_ascii=False).encode()
        content_type = "application/json; charset=utf-8"
    request = urllib.request.Request(url, data=data, method="POST",
                                     headers={"Content-Type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as answer:
            text = answer.read(4096).decode("utf-8", "replace")
            status = answer.status
    except urllib.error.HTTPError as error:
        error.close()  # (it holds the answer's connection)
        raise Refused(f"HTTP {error.code}") from None
    except (OSError, ValueError) as error:  # refused, timed out, a bad address
        raise Refused(f"{type(error).__name__}: {error}"[:300]) from None
    try:
        answer = json.loads(text)
    except ValueError:
        return status, None, text
    # (kept readable: a reason in Chinese stays Chinese, not \uXXXX escapes)
    return status, answer, json.dumps(answer, ensure_ascii=False)


def send_wecom(delivery, settings):
    """The robot's reply when it took the message; Refused otherwise."""
    status, answer, text = _post(delivery.address,
                                 {"msgtype": "text", "text": {"content": delivery.body}})
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise Refused(f"HTTP {status} {text[:200]}")
    return text[:300]


def fill(template, phone, text):
    """The template's fields with {phone} and {text} put in (nothing else in it is read: a
    brace in the message stays a brace)."""
    if isinstance(template, dict):
        return {key: fill(value, phone, text) for key, value in template.items()}
    if isinstance(template, list):
        return [fill(value, phone, text) for value in template]
    if isinstance(template, str):
        return template.replace("{phone}", phone).replace("{text}", text)
    return template


def _field(answer, path):
    """answer["a"]["b"] for "a.b", or None."""
    for part in path.split("."):
        if not isinstance(answer, dict):
            return None
        answer = answer.get(part)
    return answer


def send_sms(delivery, settings):
    """The gateway's reply when it accepted the message (see the module's note); Refused
    otherwise."""
    if not settings["sms_gateway_url"]:
        raise Refused("no SMS gateway is configured")
    payload = fill(json.loads(settings["sms_template"]), delivery.address, delivery.body)
    status, answer, text = _post(settings["sms_gateway_url"], payload,
                                 form=settings["sms_format"] == "form")
    rule = settings["sms_success"].strip()
    if rule:
        field, _, expected = rule.partition("=")
        if str(_field(answer, field.strip())) != expected.strip():
            raise Refused(f"HTTP {status} {text[:200]}")
    return text[:300] or f"HTTP {status}"


def send_email(delivery, settings):
    """The SMTP server's answer to the message (250) when it took it; Refused otherwise."""
    if not settings["smtp_host"]:
        raise Refused("no SMTP server is configured")
    message = EmailMessage(policy=email.policy.SMTP)
    message["Subject"] = delivery.body.splitlines()[0][:60] if delivery.body else ""
    message["From"] = settings["smtp_from"] or settings["smtp_user"]
    message["To"] = delivery.address
    message.set_content(delivery.body)
    security = settings["smtp_security"]
    kind = smtplib.SMTP_SSL if security == "ssl" else smtplib.SMTP
    try:
        with kind(settings["smtp_host"], int(settings["smtp_port"]), timeout=TIMEOUT) as smtp:
            if security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
            if settings["smtp_user"]:
                smtp.login(settings["smtp_user"], settings["smtp_password"])
            smtp.ehlo_or_helo_if_needed()
            for step in (lambda: smtp.mail(message["From"]),
                         lambda: smtp.rcpt(delivery.address)):
                code, reply = step()
                if code not in (250, 251):
                    raise Refused(f"{code} {reply.decode('utf-8', 'replace')}"[:300])
            code, reply = smtp.data(message.as_bytes())
    except smtplib.SMTPResponseException as error:
        raise Refused(f"{error.smtp_code} {error.smtp_error!r}"[:300]) from None
    except (smtplib.SMTPException, OSError, ValueError) as error:
        raise Refused(f"{type(error).__name__}: {error}"[:300]) from None
    return f"{code} {reply.decode('utf-8', 'replace')}"[:300]


CHANNELS = {"wecom": send_wecom, "sms": send_sms, "email": send_email}


def configured(settings):
    """The channels this site has set up."""
    ready = set()
    if settings["wecom_webhook_url"]:
        ready.add("wecom")
    if settings["sms_gateway_url"]:
        ready.add("sms")
    if settings["smtp_host"]:
        ready.add("email")
    return ready


def queue(channel, address, body, notification=None):
    """Put a message in the outbox and queue its delivery."""
    delivery = Delivery.create(channel=channel, address=address, body=body,
                               notification=notification)
    deliver_task(delivery.id)
    return delivery


def deliver(delivery, final=True):
    """Try once. Sent on the other side's acceptance; else "retrying" (raises, for the queue to
    try again) or, on the last attempt, "failed" with the reason. A VIP message carried by this
    delivery takes its outcome."""
    from . import settings as settings_service
    delivery.attempts += 1
    try:
        reply = CHANNELS[delivery.channel](delivery, settings_service.load())
    except Refused as refused:
        delivery.reply = str(refused)[:300]
        delivery.state = FAILED_DELIVERY if final else RETRYING
        delivery.save()
        if final:
            Message.update(state=MESSAGE_FAILED, detail=delivery.reply[:200]).where(
                Message.delivery == delivery.id).execute()
            return delivery
        raise
    delivery.state, delivery.reply, delivery.sent_at = SENT, reply, now()
    delivery.save()
    Message.update(state=MESSAGE_SENT, sent_at=delivery.sent_at,
                   detail=reply[:200]).where(Message.delivery == delivery.id).execute()
    return delivery


@tasks.task(retries=RETRIES, retry_delay=RETRY_DELAY, context=True)
def deliver_task(delivery_id, task=None):
    delivery = Delivery.get_or_none(Delivery.id == delivery_id)
    if delivery is None:
        # Queued inside the transaction that writes it (a major complaint's intake): the
        # consumer can be quicker than the commit. Try again later; a rolled-back row never shows.
        raise LookupError(f"delivery {delivery_id} not committed yet")
    if delivery.state in (SENT, FAILED_DELIVERY):
        return None  # (done already: a retried task never sends twice)
    return deliver(delivery, final=task is None or not task.retries).state
