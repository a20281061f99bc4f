"""Reading with a search: the condition a queue filter adds, and where each result matched.

PostgreSQL: every text term's character bigrams (one character: the character itself) must be
in the complaint's `search.tokens` (GIN index, one `@@` for all terms); a term longer than two
characters or a phrase is then confirmed with LIKE on `search.text`, so bigrams that occur
apart never match. SQLite: LIKE on `search.text` alone (a scan), which gives the same rows.
"""

from __future__ import annotations

import hashlib
import logging
import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQueryField
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import BooleanField, F, Func, Q, QuerySet, TextField, Value
from django.db.models.functions import Cast
from django.db.models.lookups import Contains
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from complaints.models import Complaint
from complaints.search.sources import COMPLAINT, MESSAGE, NOTE, REPLY, sources_for
from complaints.search.text import FRAGMENT_MIN_CHARS, Term, excerpt, normalize, parse_query

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


def _is_common(tokens: set[str], likes: list[str], ids: list[str]) -> bool:
    """Whether the queue's ordered walk beats the GIN indexes: at least COMMON_MATCHES documents
    match, or too many candidates to check (`_count_reaches`: one or two bounded counts; the
    answer is cached for PROBE_SECONDS: it only picks a plan, never changes the rows, and the
    page's auto-refresh and next pages ask the same).

    Asked when the query has several character pairs or a number: PostgreSQL multiplies pairs'
    frequencies as if independent, but 蓝牙, 牙耳, 耳机 nearly always come together, so it would
    think 蓝牙耳机 rare, fetch every match through the GIN index and sort them all; and it
    thinks every long number rare, though a date inside transaction ids matches a whole day."""
    enough = settings.COMPLAINTS_SEARCH_COMMON_MATCHES
    key = (
        "complaints:search:common:"
        + hashlib.sha256(
            f"{connection.settings_dict['NAME']}|{enough}|{sorted(tokens)}|{likes}|{ids}".encode()
        ).hexdigest()
    )
    known = _cache_get(key)
    if known is None:
        known = _count_reaches(tokens, likes, ids, enough)
        _cache_set(key, known)
    return known


# The probe reads at most this many candidates per match it looks for: its work is bounded
# even when the index finds a million documents holding a phrase's pairs and none the phrase.
CANDIDATES_PER_MATCH = 10


def _count_reaches(tokens: set[str], likes: list[str], ids: list[str], enough: int) -> bool:
    """Whether `enough` documents match, or the index's candidates (documents with every pair,
    or a number's distinctive part) are so many that checking them all would cost more than the
    queue's ordered walk."""
    from complaints.models import ComplaintSearch

    candidates, matching = ComplaintSearch.objects.all(), Q()
    if tokens:
        candidates = candidates.filter(_tokens_match(tokens, prefix=""))
    for value in likes:
        matching &= Q(text__contains=value)
    for value in ids:
        piece = _number_piece(value)
        candidates = candidates.filter(ids__contains=piece)
        if piece != value:
            matching &= Q(Contains(_NotIndexed(F("ids")), value))
    cap = enough * CANDIDATES_PER_MATCH
    # Through the GIN index even when PostgreSQL thinks the pairs are common (it would read the
    # table from the start, and read all of it when two common words never meet). Candidates
    # are counted first (no text read), matches only among fewer than `cap` of them.
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        seen = candidates[:cap].count()
        if seen < cap and matching:
            seen = candidates.filter(matching)[:enough].count()
        cursor.execute("SET LOCAL enable_seqscan = on")
    return seen >= enough


class _NotIndexed(Func):
    """The column as a value no index serves (`ids || ''`): a common number is then checked on
    each row of the queue's ordered walk instead of fetched through the trigram index."""

    template = "(%(expressions)s || '')"
    output_field = TextField()


def _search_table_condition(text_terms: list[Term], ids: list[str]) -> Q:
    """The text and number terms: all of them are conditions on the search table."""
    postgres = connection.vendor == "postgresql"
    likes = [term.value for term in text_terms if term.needs_like or not postgres]
    if not postgres:  # SQLite: LIKE alone (a scan)
        return _all_contain("search__text", likes) & _all_contain("search__ids", ids)
    tokens = {token for term in text_terms for token in term.tokens()}
    if (len(tokens) > 1 or ids) and _is_common(tokens, likes, ids):
        # No GIN index: the queue's ordered index is walked, and a page fills quickly.
        condition = _all_contain("search__text", [term.value for term in text_terms])
        for value in ids:
            condition &= Q(Contains(_NotIndexed(F("search__ids")), value))
        return condition
    condition = _all_contain("search__text", likes)
    for value in ids:
        condition &= _number_condition(value)
    return _tokens_match(tokens) & condition if tokens else condition


RUN = re.compile(r"(.)\1\1+")  # three or more of one character: "000"
INDEXED_CHARS = 8


def _number_condition(pattern: str, prefix: str = "search__") -> Q:
    """`ids LIKE '%pattern%'`, with the trigram index asked about its distinctive part only
    (`_number_piece`) and the whole pattern checked on those rows."""
    piece = _number_piece(pattern)
    if piece == pattern:
        return Q(**{f"{prefix}ids__contains": pattern})
    whole = Contains(_NotIndexed(F(f"{prefix}ids")), pattern)
    return Q(**{f"{prefix}ids__contains": piece}) & Q(whole)


def _number_piece(pattern: str) -> str:
    """What the trigram index is asked about for `ids LIKE '%pattern%'`.

    A trigram index reads every trigram's list of documents: `000` is in nearly every
    transaction id, so a whole id costs 30 ms where its last digits cost one. The index is asked
    about the last piece of the number without a run of one character (at most eight
    characters, and the end-of-number space when the pattern has it), or the whole pattern when
    no such piece has a trigram."""
    number = pattern.rstrip(" ")
    last = next((part for part in reversed(RUN.sub("\n", number).split("\n")) if part), "")
    piece = last[-INDEXED_CHARS:] + (pattern[len(number) :] if number.endswith(last) else "")
    return pattern if len(last) < 3 else piece


def _all_contain(field: str, values: list[str]) -> Q:
    condition = Q()
    for value in values:
        condition &= Q(**{f"{field}__contains": value})
    return condition


def _id_pattern(term: Term) -> str:
    """`search.ids` holds each number followed by a space: `'1234 '` is the end of one."""
    return term.value if len(term.value) >= FRAGMENT_MIN_CHARS else term.value + " "


def _whole_number(term: Term, within: QuerySet[Complaint] | None) -> list[int]:
    """The complaints (of `within`) whose complaint, transaction or order number is the whole of
    `term`, as typed in lower or upper case: a B-tree lookup. Only for terms long enough to be
    pieces (the ends of numbers are looked up in `ids`)."""
    if within is None or len(term.value) < FRAGMENT_MIN_CHARS:
        return []
    values = list({term.value, term.value.upper()})
    whole = Q(complaint_id__in=values) | Q(transaction_id__in=values) | Q(out_trade_no__in=values)
    return list(within.filter(whole).order_by().values_list("pk", flat=True)[:100])


def search_condition(q: str, within: QuerySet[Complaint] | None = None) -> Q:
    """Rows matching every term of `q`; none when `q` has no usable term (only punctuation).
    `within`: the rows being searched, where a whole number is looked up first (it then finds
    its complaint, not the numbers it is a piece of)."""
    terms = parse_query(q)
    if not terms:
        return Q(pk__in=[])
    text_terms = [term for term in terms if term.kind == "text"]
    condition, ids = Q(), []
    for term in terms:
        if term.kind == "amount":
            condition &= Q(amount=int(term.value))
        elif term.kind == "identifier":
            whole = _whole_number(term, within)
            if whole:
                condition &= Q(pk__in=whole)
            else:
                ids.append(_id_pattern(term))
    if text_terms or ids:
        condition &= _search_table_condition(text_terms, ids)
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


def _id_excerpt(value: str, term: str) -> SafeString | None:
    """`value` (an order number) with `term` marked where the search found it, or None."""
    folded = value.lower()
    at = folded.find(term) if len(term) >= FRAGMENT_MIN_CHARS else len(value) - len(term)
    if at < 0 or not folded.endswith(term, 0, at + len(term)):
        return None
    return format_html("{}<mark>{}</mark>{}", value[:at], value[at : at + len(term)],
                       value[at + len(term) :])  # fmt: skip


def _exact_hits(complaint: Complaint, terms: list[Term], labels: dict[str, str]) -> list[Hit]:
    found = []
    for term in terms:
        if term.kind == "amount" and str(complaint.amount) == term.value:
            found.append(Hit("order", labels["order"], f"¥{int(term.value) / 100:.2f}"))
        if term.kind != "identifier":
            continue
        if complaint.payer_phone_last4 == term.value:
            found.append(Hit("phone", labels["phone"], complaint.payer_phone_masked))
        for value in (complaint.transaction_id, complaint.out_trade_no):
            marked = _id_excerpt(value or "", term.value)
            if marked:
                found.append(Hit("order", labels["order"], marked))
    return found
