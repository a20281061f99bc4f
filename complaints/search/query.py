"""Reading with a search: the condition a queue filter adds, and where each result matched.

PostgreSQL: every text term's character bigrams (one character: the character itself) must be
in the complaint's `search.tokens` (GIN index, one `@@` for all terms); a term longer than two
characters or a phrase is then confirmed with LIKE on `search.text`, so bigrams that occur
apart never match. SQLite: LIKE on `search.text` alone (a scan), which gives the same rows.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, Value
from django.db.models.functions import Cast
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.search.sources import COMPLAINT, MESSAGE, NOTE, REPLY, sources_for
from complaints.search.text import Term, excerpt, normalize, parse_query

logger = logging.getLogger(__name__)


class _Matches(Func):
    """`tokens @@ query`: a boolean expression usable in filter()."""

    arg_joiner = " @@ "
    template = "(%(expressions)s)"
    output_field = BooleanField()


def _tokens_match(tokens: set[str], prefix: str = "search__") -> Q:
    query = " & ".join(f"'{token}'" for token in sorted(tokens))
    return Q(_Matches(F(f"{prefix}tokens"), Cast(Value(query), SearchQueryField())))


# From this many matching documents on, a search is "common": its page is found by walking the
# queue's ordered index (a page fills after a few hundred rows), not through the GIN index.
# A setting only so tests can take both paths with little data.
COMMON_MATCHES = 2000  # the default of settings.COMPLAINTS_SEARCH_COMMON_MATCHES
PROBE_SECONDS = 600


def _cache_get(key: str) -> bool | None:
    try:
        return cache.get(key)
    except Exception:  # the cache is an optimisation: without it, ask the database
        logger.warning("search probe cache unavailable", exc_info=True)
        return None


def _cache_set(key: str, value: bool) -> None:
    try:
        cache.set(key, value, PROBE_SECONDS)
    except Exception:
        logger.warning("search probe cache unavailable", exc_info=True)


def _is_common(tokens: set[str], likes: list[str]) -> bool:
    """Whether at least COMMON_MATCHES documents match (one query, through the GIN index; the
    answer is cached for PROBE_SECONDS: it only picks a plan, never changes the rows, and the
    page's auto-refresh and next pages ask the same).

    Asked only when the query has several character pairs: PostgreSQL multiplies their
    frequencies as if independent, but 蓝牙, 牙耳, 耳机 nearly always come together, so it would
    think 蓝牙耳机 rare, fetch every match through the GIN index and sort them all."""
    enough = settings.COMPLAINTS_SEARCH_COMMON_MATCHES
    key = (
        "complaints:search:common:"
        + hashlib.sha256(
            f"{connection.settings_dict['NAME']}|{enough}|{sorted(tokens)}|{likes}".encode()
        ).hexdigest()
    )
    known = _cache_get(key)
    if known is None:
        known = _count_reaches(tokens, likes, enough)
        _cache_set(key, known)
    return known


def _count_reaches(tokens: set[str], likes: list[str], enough: int) -> bool:
    from complaints.models import ComplaintSearch

    rows = ComplaintSearch.objects.filter(_tokens_match(tokens, prefix=""))
    for value in likes:
        rows = rows.filter(text__contains=value)
    # Through the GIN index even when PostgreSQL thinks the pairs are common (it would read the
    # table from the start, and read all of it when two common words never meet).
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        common = rows[:enough].count() >= enough
        cursor.execute("SET LOCAL enable_seqscan = on")
    return common


def _text_condition(terms: list[Term]) -> Q:
    likes = [term.value for term in terms if term.needs_like or connection.vendor != "postgresql"]
    if connection.vendor != "postgresql":
        return _all_contain(likes)
    tokens = {token for term in terms for token in term.tokens()}
    if len(tokens) > 1 and _is_common(tokens, likes):
        return _all_contain([term.value for term in terms])  # no GIN: the ordered walk
    return _tokens_match(tokens) & _all_contain(likes)


def _all_contain(values: list[str]) -> Q:
    condition = Q()
    for value in values:
        condition &= Q(search__text__contains=value)
    return condition


def _exact_condition(term: Term) -> Q:
    if term.kind == "phone":
        return Q(payer_phone_last4=term.value)
    if term.kind == "amount":
        return Q(amount=int(term.value))
    return Q(complaint_id=term.value) | Q(transaction_id=term.value) | Q(out_trade_no=term.value)


def search_condition(q: str) -> Q:
    """Rows matching every term of `q`; none when `q` has no usable term (only punctuation)."""
    terms = parse_query(q)
    if not terms:
        return Q(pk__in=[])
    text_terms = [term for term in terms if term.kind == "text"]
    condition = _text_condition(text_terms) if text_terms else Q()
    for term in terms:
        if term.kind != "text":
            condition &= _exact_condition(term)
    return condition


# --- where it matched -----------------------------------------------------------------------


@dataclass(frozen=True)
class Hit:
    kind: str  # complaint | message | reply | note | order | phone
    label: str
    excerpt: SafeString | str


def _labels() -> dict[str, str]:
    return {
        COMPLAINT: _("Complaint"),
        MESSAGE: _("Negotiation message"),
        REPLY: _("Reply"),
        NOTE: _("Internal note"),
        "order": _("Order"),
        "phone": _("Phone"),
    }


def search_hits(complaints: list[Complaint], q: str, limit: int = 3) -> dict[int, list[Hit]]:
    """For each complaint of a result page, where the terms of `q` were found (complaint,
    message, reply, note; order number, amount or phone for exact terms), each text hit with a
    short excerpt, terms highlighted. A constant number of queries (see `sources_for`)."""
    terms = parse_query(q)
    if not complaints or not terms:
        return {}
    labels = _labels()
    needles = [term.value for term in terms if term.kind == "text"]
    texts = sources_for(complaints) if needles else {}
    hits: dict[int, list[Hit]] = {}
    for complaint in complaints:
        found: list[Hit] = []
        for source in texts.get(complaint.pk, []):
            normal = normalize(source.text)
            present = [needle for needle in needles if needle in normal]
            if present:
                found.append(Hit(source.kind, labels[source.kind], excerpt(source.text, present)))
            if len(found) >= limit:
                break
        found += _exact_hits(complaint, terms, labels)
        hits[complaint.pk] = found[:limit]
    return hits


def _exact_hits(complaint: Complaint, terms: list[Term], labels: dict[str, str]) -> list[Hit]:
    found = []
    for term in terms:
        if term.kind == "phone" and complaint.payer_phone_last4 == term.value:
            found.append(Hit("phone", labels["phone"], complaint.payer_phone_masked))
        elif term.kind == "amount" and str(complaint.amount) == term.value:
            found.append(Hit("order", labels["order"], f"¥{int(term.value) / 100:.2f}"))
        elif term.kind == "identifier" and term.value in (
            complaint.transaction_id,
            complaint.out_trade_no,
        ):
            found.append(Hit("order", labels["order"], term.value))
    return found
