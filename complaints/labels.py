"""What WeChat's codes are called on screen: complaint states and negotiation-history operate
types, in the words of the glossary. WeChat adds values without notice: unknown ones are shown
as they arrive, never hidden."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from complaints.models import Complaint

# §3.3 operate_type, with WeChat's own spellings (typos included).
OPERATE_TYPES: dict[str, Promise] = {
    "USER_CREATE_COMPLAINT": _("User filed the complaint"),
    "USER_CONTINUE_COMPLAINT": _("User complained again"),
    "USER_RESPONSE": _("User message"),
    "USER_CLICK_RESPONSE": _("User clicked in a message"),
    "PLATFORM_RESPONSE": _("Platform message"),
    "MERCHANT_RESPONSE": _("Reply to user"),
    "MERCHANT_CONFIRM_COMPLETE": _("Marked as processed"),
    "USER_CREATE_COMPLAINT_SYSTEM_MESSAGE": _("System message: complaint filed"),
    "USER_CONTINUE_COMPLAINT_SYSTEM_MESSAGE": _("System message: user complained again"),
    "COMPLAINT_FULL_REFUNDED_SYSTEM_MESSAGE": _("System message: fully refunded"),
    "COMPLAINT_PARTIAL_REFUNDED_SYSTEM_MESSAGE": _("System message: partly refunded"),
    "COMPLAINT_REFUND_RECEIVED_SYSTEM_MESSAGE": _("System message: refund received"),
    "COMPLAINT_ENTRUSTED_REFUND_SYSTEM_MESSAGE": _("System message: refund entrusted"),
    "USER_REVOKE_COMPLAINT": _("User withdrew the complaint"),
    "USER_COMFIRM_COMPLAINT": _("User confirmed the complaint is resolved"),
    "PLATFORM_HELP_APPLICATION": _("Platform urged a reply"),
    "USER_APPLY_PLATFORM_HELP": _("User asked the platform for help"),
    "USER_APPLY_PLATFORM_SERVICE": _("User asked the platform to mediate"),
    "USER_CANCEL_PLATFORM_SERVICE": _("User cancelled platform mediation"),
    "PLATFORM_SERVICE_FINISHED": _("Platform mediation finished"),
    "MERCHANT_APPROVE_REFUND": _("Refund approved"),
    "MERCHANT_REFUSE_RERUND": _("Refund rejected"),
    "USER_SUBMIT_SATISFACTION": _("User rated the handling"),
    "SERVICE_ORDER_CANCEL": _("Service order cancelled"),
    "SERVICE_ORDER_COMPLETE": _("Service order completed"),
}
# §3.1 user_tag_list (the spec's sources disagree: TRUSTED/HIGH_RISK, older ones TRUSTED/OTHERS).
USER_TAGS: dict[str, Promise] = {
    "TRUSTED": _("Trusted user"),
    "HIGH_RISK": _("High-risk user"),
    "OTHERS": _("Other user"),
}
# §3.3 operator: WeChat names who acted in Chinese, whatever the reader's language.
OPERATORS: dict[str, Promise] = {
    "投诉人": _("Complainant"),
    "用户": _("User"),
    "商户": _("Merchant"),
    "商家": _("Merchant"),
    "微信支付客服": _("WeChat Pay support"),
    "微信支付": _("WeChat Pay"),
    "平台": _("Platform"),
    "系统": _("System"),
}
# §3.1 problem_type
PROBLEM_TYPES: dict[str, Promise] = {
    "REFUND": _("Refund requested"),
    "SERVICE_NOT_WORK": _("Service not working"),
    "OTHERS": _("Other"),
}
# §3.7 update-refund-progress action
REFUND_ACTIONS: dict[str, Promise] = {
    "APPROVE": _("Refund approved"),
    "REJECT": _("Refund rejected"),
}
# §3.1 service_order_info.state
SERVICE_ORDER_STATES: dict[str, Promise] = {
    "DOING": _("In progress"),
    "REVOKED": _("Cancelled"),
    "WAITPAY": _("Awaiting payment"),
    "DONE": _("Completed"),
}
STATES: dict[str, Promise] = dict(Complaint.State.choices)
SLA: dict[str, Promise] = dict(Complaint.Sla.choices)


def operate_type_label(value: str) -> str:
    return str(OPERATE_TYPES.get(value, value))


def state_label(value: str) -> str:
    return str(STATES.get(value, value))


def sla_label(value: str) -> str:
    return str(SLA.get(value, value))


def user_tag_label(value: str) -> str:
    return str(USER_TAGS.get(value, value))


def operator_label(value: str) -> str:
    return str(OPERATORS.get(value, value))


def operator_known(value: str) -> bool:
    return value in OPERATORS


def problem_type_label(value: str) -> str:
    return str(PROBLEM_TYPES.get(value, value))


def refund_action_label(value: str) -> str:
    return str(REFUND_ACTIONS.get(value, value))


def service_order_state_label(value: str) -> str:
    return str(SERVICE_ORDER_STATES.get(value, value))
