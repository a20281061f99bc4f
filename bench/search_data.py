"""Search part of bench/queue.py: Chinese history texts with common and rare words, each
complaint's search document built at seeding time (COPY, like the rest), and the search pages.

Word frequencies (per complaint): 退款 is in most complaints (consumers' messages), 充电宝 and
蓝牙耳机 in a fifth (complaint texts), 会员 in two fifths (never with 充电宝), 茶叶 in 0.1 %,
投影仪 in 0.01 %, 火箭 in none.
"""

from __future__ import annotations

MESSAGES = [
    "请尽快给我退款",
    "什么时候发货",
    "客服电话一直打不通",
    "已经等了三天了",
    "我要投诉到平台",
]
HISTORY_TYPES = ["USER_RESPONSE", "MERCHANT_RESPONSE", "USER_CREATE_COMPLAINT", "PLATFORM_RESPONSE"]
PROBLEM = "已付款未发货"


def complaint_text(base: str, n: int) -> str:
    text = f"{base} #{n}"
    if n % 1000 == 3:
        text += "，送的茶叶也是坏的"
    if n % 10_000 == 5:
        text += "，投影仪无法开机"
    return text


def history_text(n: int) -> str:
    # A multiplicative hash, not random.Random(n): this runs 20 million times at 10M entries.
    return f"{MESSAGES[((n * 2654435761) >> 13) % len(MESSAGES)]} {n}"


def history_of(i: int, complaints: int, history: int, per: int) -> list[int]:
    """The history entry numbers of complaint number `i` (entry n belongs to complaint
    (n // per) % complaints)."""
    found = []
    base = i * per
    while base < history:
        found += range(base, min(base + per, history))
        base += complaints * per
    return found


def search_row(pk: int, detail: str, entries: list[int], ids: list[str], now) -> tuple:
    """The ComplaintSearch row the console would build for this complaint."""
    from complaints.search.text import document, ids_document, tsvector_text

    text = document([f"{PROBLEM}\n{detail}", *(history_text(n) for n in entries)])
    return pk, text, tsvector_text(text), ids_document(ids), now


def copy_search_rows(copy_rows, rows) -> None:
    """COPY the search documents with the GIN index dropped, then build it once."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX IF EXISTS complaint_search_tokens_idx")
        cursor.execute("DROP INDEX IF EXISTS complaint_search_ids_idx")
    columns = ["complaint_id", "text", "tokens", "ids", "updated_at"]
    copy_rows("complaints_complaintsearch", columns, rows)
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '256MB'")
        cursor.execute(
            "CREATE INDEX complaint_search_tokens_idx ON complaints_complaintsearch "
            "USING gin (tokens)"
        )
        cursor.execute(
            "CREATE INDEX complaint_search_ids_idx ON complaints_complaintsearch "
            "USING gin (ids gin_trgm_ops)"
        )


def search_pages(open_one) -> dict[str, str]:
    amount = f"{open_one.amount / 100:.2f}"
    return {
        "search:complaint_id": f"/complaints/?view=open&q={open_one.complaint_id}",
        "search:transaction_id": f"/complaints/?view=open&q={open_one.transaction_id}",
        "search:out_trade_no": f"/complaints/?view=done&q={open_one.out_trade_no}",
        "search:phone suffix": f"/complaints/?view=open&q={open_one.payer_phone_last4}",
        "search:transaction id end": f"/complaints/?view=open&q={open_one.transaction_id[-6:]}",
        "search:transaction id piece": (
            f"/complaints/?view=open&q={open_one.transaction_id[-12:-2]}"
        ),
        "search:amount": f"/complaints/?view=open&q={amount}",
        "search:2 chars common 退款": "/complaints/?view=open&q=退款",
        "search:2 chars common, done": "/complaints/?view=done&q=退款",
        "search:2 chars rare 茶叶": "/complaints/?view=open&q=茶叶",
        "search:2 chars absent 火箭": "/complaints/?view=open&q=火箭",
        "search:3 chars common 充电宝": "/complaints/?view=open&q=充电宝",
        "search:3 chars rare 投影仪": "/complaints/?view=open&q=投影仪",
        "search:phrase 蓝牙耳机": '/complaints/?view=open&q="蓝牙耳机"',
        "search:2 words 会员 退款": "/complaints/?view=open&q=会员+退款",
        "search:2 words never met": "/complaints/?view=open&q=充电宝+会员",
    }


def explain(query: tuple, big_tables: tuple[str, ...]) -> tuple[list[str], list[str], float]:
    """Big tables read by a sequential scan in this query's plan, the indexes it reads, and its
    execution time in PostgreSQL (EXPLAIN ANALYZE: what the database spends, whatever the load
    on the web process)."""
    import json

    from django.db import connection

    sql, params = query
    if sql.startswith("SET LOCAL"):  # as the page ran it (the search probe's planner setting)
        connection.cursor().execute(sql.replace("SET LOCAL", "SET", 1), params)
    if not sql.lstrip().upper().startswith("SELECT"):
        return [], [], 0.0
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN (ANALYZE, FORMAT JSON) " + sql, params)
        plan = cursor.fetchone()[0]
    plan = json.loads(plan) if isinstance(plan, str) else plan
    scans, indexes = plan_summary(plan[0]["Plan"], big_tables)
    return scans, indexes, plan[0]["Execution Time"]


def plan_summary(plan: dict, big_tables: tuple[str, ...]) -> tuple[list[str], list[str]]:
    """The big tables a plan reads by a sequential scan, and the indexes it reads."""
    scans: list[str] = []
    indexes: list[str] = []

    def walk(node: dict) -> None:
        if node.get("Node Type") == "Seq Scan" and node.get("Relation Name") in big_tables:
            scans.append(node["Relation Name"])
        if node.get("Index Name") and node["Index Name"] not in indexes:
            indexes.append(node["Index Name"])
        for child in node.get("Plans", []):
            walk(child)

    walk(plan)
    return scans, indexes


def print_indexes(queries: list[tuple], plans: list[tuple[list, list, float]]) -> None:
    """The indexes read by a search page's queue queries (EXPLAIN), under its timing line."""
    used = [
        index
        for (sql, _), (_, indexes, _) in zip(queries, plans, strict=True)
        if "complaints_complaint" in sql and "ORDER BY" in sql
        for index in indexes
    ]
    print(f"{'':28} reads {', '.join(dict.fromkeys(used)) or 'no index'}")
