"""Search text without a database: normalising, tokens for the index, parsing a query, excerpts.

One normal form is used for the stored document and for every term: NFKC (full-width letters,
digits and punctuation become their ASCII forms), case-folded, and every run of characters that
are neither letters nor digits (punctuation, spaces, `%`, `_`, `\\`) turned into one space. A term
then matches where its normal form is a substring of the document's: the same test on PostgreSQL
(GIN index over character bigrams, then LIKE) and on SQLite (LIKE alone).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from html import escape

from django.utils.safestring import SafeString, mark_safe

SEPARATORS = re.compile(r"[\W_]+")
MAX_QUERY_CHARS = 200  # longer input is cut here
MAX_TERMS = 8
MAX_DOCUMENT_CHARS = 200_000  # per complaint; beyond it the text is not searched


def normalize(text: str) -> str:
    """The searchable form of `text`: words separated by single spaces, no punctuation."""
    if not text:
        return ""
    ascii_only = text.isascii()
    folded = text.lower() if ascii_only else unicodedata.normalize("NFKC", text).casefold()
    return SEPARATORS.sub(" ", folded).strip()


def document(parts: list[str]) -> str:
    """The stored search text of one complaint: each source's normal form on a line of its own
    (a term never spans two sources)."""
    lines = [line for line in (normalize(part) for part in parts) if line]
    return "\n".join(lines)[:MAX_DOCUMENT_CHARS]


def tokens_of(normal: str) -> set[str]:
    """Every character and every pair of neighbouring characters within a word."""
    found: set[str] = set()
    for word in normal.split():
        found.update(word)
        found.update(word[i : i + 2] for i in range(len(word) - 1))
    return found


def ids_document(values: list[str]) -> str:
    """The stored ids of one complaint: each lower case and followed by a space, so `' 1234 '`
    is a whole id and `'1234 '` the end of one (the same form migration 0005 writes)."""
    return " " + " ".join(value.lower() for value in values if value) + " "


def tsvector_text(normal: str) -> str:
    """The document's tokens in PostgreSQL's tsvector input form (no positions)."""
    return " ".join(f"'{token}'" for token in sorted(tokens_of(normal)))


# --- queries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    kind: str  # "text" | "identifier" | "amount"
    value: str  # normal form (text), the identifier in lower case, or fen as a string

    @property
    def needs_like(self) -> bool:
        """Whether bigram tokens alone could over-match: one word of at most two characters is
        matched exactly by its token."""
        return len(self.value) > 2 or " " in self.value

    def tokens(self) -> set[str]:
        words = self.value.split()
        if len(words) == 1 and len(words[0]) <= 2:
            return {words[0]}
        return {token for word in words for token in _query_tokens(word)}


def _query_tokens(word: str) -> set[str]:
    if len(word) == 1:
        return {word}
    return {word[i : i + 2] for i in range(len(word) - 1)}


IDENTIFIER = re.compile(r"^[A-Za-z0-9_\-]{4,64}$")
# An id-like word with this many digits (`8000`, `A0001`, `4200…`) is the end of a complaint,
# transaction or order number or the phone's last four digits (a whole number is its own end);
# with fewer (`iphone15`) it is text. Never both: digits are in most texts, so a rare number
# would walk the whole queue looking for text that contains it.
IDENTIFIER_MIN_DIGITS = 4
# From this many characters an identifier also matches inside a number (a piece of a pasted
# transaction id); a shorter one would match far too many (a date inside every id of a day).
FRAGMENT_MIN_CHARS = 8
AMOUNT = re.compile(r"^(?:¥(\d{1,9})(?:\.(\d{1,2}))?|(\d{1,9})\.(\d{1,2}))$")
QUOTED_OR_WORD = re.compile(r'["“”]([^"“”]*)["“”]?|([^\s"“”]+)')


def parse_query(q: str) -> list[Term]:
    """The terms of a search box's input, all of which must match (AND). `"…"` (or “…”) is a
    phrase; an id-like word with at least four digits is the end of a complaint, transaction
    or order number or of the phone number (from eight characters: any piece of such a
    number); `¥12` or `12.50` an order amount; anything else is text, split at punctuation
    into words. Input that is only punctuation gives no term."""
    q = unicodedata.normalize("NFKC", (q or "")[:MAX_QUERY_CHARS].replace("\x00", " "))
    terms: list[Term] = []
    for quoted, word in QUOTED_OR_WORD.findall(q):
        if quoted:
            terms += _text_terms(quoted, phrase=True)
        else:
            terms += _word_terms(word)
    unique = list(dict.fromkeys(terms))
    return unique[:MAX_TERMS]


def _word_terms(word: str) -> list[Term]:
    amount = AMOUNT.match(word)
    if amount:
        yuan, cents = amount.group(1) or amount.group(3), amount.group(2) or amount.group(4) or ""
        return [Term("amount", str(int(yuan) * 100 + int(cents.ljust(2, "0"))))]
    if IDENTIFIER.match(word) and sum(c.isdigit() for c in word) >= IDENTIFIER_MIN_DIGITS:
        return [Term("identifier", word.lower())]
    return _text_terms(word, phrase=False)


def _text_terms(text: str, *, phrase: bool) -> list[Term]:
    normal = normalize(text)
    if not normal:
        return []
    if phrase:
        return [Term("text", normal)]
    return [Term("text", word) for word in normal.split()]


# --- excerpts ------------------------------------------------------------------------------


def _mapped(text: str) -> tuple[str, list[int]]:
    """`normalize` character by character, with the position in `text` each character came
    from (to highlight the original)."""
    chars: list[str] = []
    origin: list[int] = []
    gap = True
    # Most text is its own normal form character by character (Chinese, lower-case ASCII).
    stable = _is_own_normal_form(text)
    for i, ch in enumerate(text):
        for c in ch if stable else unicodedata.normalize("NFKC", ch).casefold():
            if c.isalnum():
                chars.append(c)
                origin.append(i)
                gap = False
            elif not gap:
                chars.append(" ")
                origin.append(i)
                gap = True
    return "".join(chars), origin


def _spans(text: str, needles: list[str]) -> list[tuple[int, int]]:
    """Where in `text` each needle's normal form occurs, as (start, end) in `text`."""
    spans = []
    if _is_own_normal_form(text) and not any(" " in needle for needle in needles):
        # Each character is its own normal form and a needle is letters and digits only: it is
        # found in the text itself (no character-by-character mapping, most texts).
        for needle in needles:
            start = text.find(needle)
            while needle and start != -1:
                spans.append((start, start + len(needle)))
                start = text.find(needle, start + len(needle))
        return spans
    normal, origin = _mapped(text)
    for needle in needles:
        start = normal.find(needle)
        while needle and start != -1:
            end = start + len(needle) - 1
            spans.append((origin[start], origin[end] + 1))
            start = normal.find(needle, start + len(needle))
    return spans


def _is_own_normal_form(text: str) -> bool:
    return unicodedata.is_normalized("NFKC", text) and text.casefold() == text


def excerpt(text: str, needles: list[str], width: int = 24) -> SafeString:
    """A short piece of `text` around the first of `needles` (normal forms), every needle in it
    wrapped in <mark>; everything else escaped."""
    spans = _spans(text, needles)
    if not spans:
        return mark_safe(escape(text[: width * 2]) + ("…" if len(text) > width * 2 else ""))  # noqa: S308
    spans.sort()
    first = spans[0][0]
    lo, hi = max(0, first - width), min(len(text), first + width * 2)
    # Every piece of `text` is escaped (html.escape: format_html's lazy wrappers cost a third of
    # a result page's excerpts); only the <mark> tags are ours.
    parts, at = ["…" if lo > 0 else ""], lo
    for start, end in spans:
        if start < at or start >= hi:
            continue
        parts += [escape(text[at:start]), "<mark>", escape(text[start : min(end, hi)]), "</mark>"]
        at = min(end, hi)
    parts += [escape(text[at:hi]), "…" if hi < len(text) else ""]
    return mark_safe("".join(parts))  # noqa: S308
