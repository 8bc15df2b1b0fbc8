"""Notices that leave the app: an outbox (Delivery) and the channels that carry it.

企业微信 (WeCom) group robot: the documented webhook, a JSON POST of
{"msgtype": "text", "text": {"content": …}}; the robot answers HTTP 200 with
{"errcode": 0, "errmsg": "ok"} when it took the message, and a non-zero errcode (93000: the
webhook is invalid, 45009: too many messages…) when it did not. A delivery is "sent" only on
errcode 0, with the reply kept; anything else is retried by the queue and then "failed" with
the reason. Urgent notices (a major complaint, an escalated reminder) go to every channel the
site has configured.
"""
import contextlib
import json
import logging
import urllib.error
import urllib.request

from models import Delivery, now
from models.complaints import FAILED_DELIVERY, RETRYING, SENT

from . import tasks

log = logging.getLogger(__name__)
TIMEOUT = 5  # seconds a gateway has to answer
RETRIES, RETRY_DELAY = 3, 60


class Refused(Exception):
    """The other side did not take the message (the reason is kept on the delivery)."""


def _post_json(url, payload):
    """(HTTP status, the answer's JSON or None, the answer's text) of a JSON POST."""
    request = urllib.request.Request(url, data=json.dumps(payload, ensure_ascii=False).encode(),
                                     method="POST",
                                     headers={"Content-Type": "application/json; charset=utf-8"})
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
        return status, json.loads(text), text
    except ValueError:
        return status, None, text


def send_wecom(delivery):
    """The robot's reply when it took the message; Refused otherwise."""
    status, answer, text = _post_json(delivery.address,
                                      {"msgtype": "text", "text": {"content": delivery.body}})
    if not isinstance(answer, dict) or answer.get("errcode") != 0:
        raise Refused(f"HTTP {status} {text[:200]}")
    return text[:300]


CHANNELS = {"wecom": send_wecom}


def urgent(message, params, settings):
    """Queue an urgent notice (a catalogue source and its parameters) on every channel the site
    has configured: today the office's WeCom group robot, in the site's language."""
    if not settings.get("wecom_webhook_url"):
        return []
    from flask import has_app_context
    from flask_babel import force_locale

    from models.i18n import stored_params, stored_text
    with force_locale("zh") if has_app_context() else contextlib.nullcontext():
        body = stored_text(message, stored_params(params))
    delivery = Delivery.create(channel="wecom", address=settings["wecom_webhook_url"], body=body)
    deliver_task(delivery.id)
    return [delivery]


def deliver(delivery, final=True):
    """Try once. Sent on the other side's acceptance; else "retrying" (raises, for the queue to
    try again) or, on the last attempt, "failed" with the reason."""
    delivery.attempts += 1
    try:
        reply = CHANNELS[delivery.channel](delivery)
    except Refused as refused:
        delivery.reply = str(refused)[:300]
        delivery.state = FAILED_DELIVERY if final else RETRYING
        delivery.save()
        if not final:
            raise
        return delivery
    delivery.state, delivery.reply, delivery.sent_at = SENT, reply, now()
    delivery.save()
    return delivery


@tasks.task(retries=RETRIES, retry_delay=RETRY_DELAY, context=True)
def deliver_task(delivery_id, task=None):
    delivery = Delivery.get_or_none(Delivery.id == delivery_id)
    if delivery is None:
        # Queued inside the transaction that writes it (a major complaint's intake): the
        # consumer can be quicker than the commit. Try again later; a rolled-back row never shows.
        raise LookupError(f"delivery {delivery_id} not committed yet")
    if delivery.state == SENT:
        return None  # (sent already: a retried task never sends twice)
    return deliver(delivery, final=task is None or not task.retries).state
