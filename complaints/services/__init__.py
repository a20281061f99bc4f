"""Complaint state changes. Import from here: `from complaints.services import complaint_claim`."""

from complaints.services.deadlines import deadlines_for, sla_status_for, sla_sweep
from complaints.services.hooks import hooks_subscribe, on_complaint_handled, on_complaint_ingested
from complaints.services.images import (
    ImageNotFetched,
    complaint_image_fetch,
    complaint_images_fetch,
    image_content,
)
from complaints.services.ingest import (
    complaint_ingest,
    complaint_upsert,
    first_reply_forget_automatic,
    history_ingest,
    mask_phone,
)
from complaints.services.notifications import notification_parse, notification_record
from complaints.services.presence import (
    presence_leave,
    presence_page_id,
    presence_touch,
    present_on,
    present_on_many,
)
from complaints.services.search import complaint_search_refresh, search_index_all
from complaints.services.sync import complaint_refresh, merchant_sync
from complaints.services.work import (
    AlreadyClaimed,
    WorkError,
    assignable_users,
    complaint_assign,
    complaint_claim,
    complaint_complete_request,
    complaint_refund_decide,
    complaint_release,
    note_add,
    phone_reveal,
)

__all__ = [
    "ImageNotFetched",
    "complaint_image_fetch",
    "complaint_images_fetch",
    "AlreadyClaimed",
    "WorkError",
    "assignable_users",
    "complaint_assign",
    "complaint_claim",
    "complaint_complete_request",
    "complaint_ingest",
    "first_reply_forget_automatic",
    "complaint_refresh",
    "complaint_refund_decide",
    "complaint_search_refresh",
    "complaint_release",
    "complaint_upsert",
    "deadlines_for",
    "history_ingest",
    "hooks_subscribe",
    "image_content",
    "mask_phone",
    "merchant_sync",
    "note_add",
    "notification_parse",
    "notification_record",
    "on_complaint_handled",
    "on_complaint_ingested",
    "phone_reveal",
    "presence_leave",
    "presence_page_id",
    "presence_touch",
    "present_on",
    "present_on_many",
    "search_index_all",
    "sla_status_for",
    "sla_sweep",
]
