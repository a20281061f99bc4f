// The page's live stream: one EventSource per tab (complaints/views/stream.py).
//
// An event names what changed by ids. Elements that show something subscribe in HTML:
//   data-live="history.added reply.changed"   the kinds that concern them
//   data-live-complaint="42"                   only events of this complaint (optional)
//   data-live-reply="7"                        only events of this reply (optional)
// and are sent the htmx event "live" (so `hx-trigger="live"` re-reads them through the usual,
// permission-checked view). One request per element at a time; an event that arrives while one
// is in flight asks for one more read afterwards, so the last change is never missed; so does
// one that reaches content still on its way or not yet set up by htmx.
// Every event is also dispatched on document as "live:change" for controllers.
//
// When the stream cannot be had (no EventSource, or a proxy that buffers it), the page falls back
// to reading every subscribed element on a timer, and says so quietly in #live-status.

const FALLBACK_SECONDS = 15;
const READY_TIMEOUT_MS = 10000;
const FAILURES_BEFORE_FALLBACK = 3;

const RECENT_MS = 120000;

const state = new WeakMap(); // element -> { inflight, again, pending }
const requestStarts = new WeakMap(); // element that asked for content -> when it asked
let recent = []; // { event, at }: events of the last minutes, for content that was on its way

function listOf(value) {
  return (value || "").split(/\s+/).filter(Boolean);
}

function concerns(element, event) {
  if (!listOf(element.dataset.live).includes(event.kind)) return false;
  const complaint = element.dataset.liveComplaint;
  if (complaint && String(event.complaint_id) !== complaint) return false;
  const reply = element.dataset.liveReply;
  if (reply && String(event.reply_id) !== reply) return false;
  return true;
}

export function refresh(element) {
  const current = state.get(element) || { inflight: false, again: false, pending: false };
  state.set(element, current);
  if (current.inflight) {
    current.again = true;
    return;
  }
  // Not bubbling: an element that re-reads on "live" (a panel) must not re-read because a live
  // part inside it did; that would wipe a form the agent is filling in beside the live part.
  element.dispatchEvent(new CustomEvent("live", { bubbles: false }));
  // htmx starts the read at once (htmx:beforeRequest, below). Content just swapped in may not
  // have its htmx listeners yet: then it reads as soon as htmx has set it up.
  if (!current.inflight) current.pending = true;
}

function started(event) {
  const element = event.detail.elt;
  requestStarts.set(element, performance.now());
  const current = state.get(element);
  if (current) Object.assign(current, { inflight: true, pending: false });
}

function processed(event) {
  if (state.get(event.target)?.pending) refresh(event.target);
}

function settled(event) {
  const element = event.detail?.elt;
  const current = element && state.get(element);
  if (!current) return;
  current.inflight = false;
  if (!current.again) return;
  current.again = false;
  // An element that swaps itself out (hx-swap="outerHTML") is followed by its replacement, so an
  // event that came during the read is not lost with the old element.
  const next = element.isConnected ? element : element.id && document.getElementById(element.id);
  if (next?.dataset.live) refresh(next);
}

// Content loaded after the page (a panel, a fragment) was rendered at some moment during its
// request: an event that came meanwhile found no element to tell. Its live parts re-read when
// such an event concerns them, so a change is never lost between a render and its arrival.
function arrived(event) {
  const askedAt = requestStarts.get(event.detail?.elt);
  if (askedAt === undefined) return;
  const missed = recent.filter((entry) => entry.at >= askedAt).map((entry) => entry.event);
  if (!missed.length) return;
  event.target.querySelectorAll("[data-live]").forEach((element) => {
    if (missed.some((change) => change.kind === "reset" || concerns(element, change))) {
      refresh(element);
    }
  });
}

function remember(event) {
  const now = performance.now();
  recent = recent.filter((entry) => now - entry.at < RECENT_MS);
  recent.push({ event, at: now });
}

function refreshAll() {
  document.querySelectorAll("[data-live]").forEach(refresh);
}

function deliver(event) {
  remember(event);
  if (event.kind === "reset") {
    refreshAll();
  } else {
    document.querySelectorAll("[data-live]").forEach((element) => {
      if (concerns(element, event)) refresh(element);
    });
  }
  document.dispatchEvent(new CustomEvent("live:change", { detail: event }));
}

function showStatus(text) {
  const status = document.getElementById("live-status");
  if (!status) return;
  status.textContent = text || "";
  status.hidden = !text;
  document.body.dataset.liveState = text ? "polling" : "live";
}

function fallBack(body) {
  if (body.dataset.liveState === "polling") return;
  showStatus(body.dataset.liveFallbackText);
  window.setInterval(refreshAll, FALLBACK_SECONDS * 1000);
}

function connect(body) {
  if (!("EventSource" in window)) {
    fallBack(body);
    return;
  }
  const url = new URL(body.dataset.liveUrl, window.location.href);
  url.searchParams.set("since", body.dataset.liveSince);
  if (body.dataset.liveComplaint) url.searchParams.set("complaint", body.dataset.liveComplaint);
  if (body.dataset.livePage) url.searchParams.set("page", body.dataset.livePage);
  const source = new EventSource(url);
  let ready = false;
  let failures = 0;
  let readyTimer = window.setTimeout(() => fallBack(body), READY_TIMEOUT_MS);
  source.addEventListener("ready", () => {
    window.clearTimeout(readyTimer);
    if (ready && failures) refreshAll(); // back after a drop: the backlog follows; re-read facts too
    ready = true;
    failures = 0;
    if (body.dataset.liveState !== "polling") body.dataset.liveState = "live";
  });
  source.addEventListener("change", (message) => {
    try {
      deliver(JSON.parse(message.data));
    } catch (error) {
      console.warn("live: unreadable event", error);
    }
  });
  source.addEventListener("reset", () => deliver({ kind: "reset" }));
  source.addEventListener("unavailable", () => {
    // Served without an ASGI server: no stream here.
    window.clearTimeout(readyTimer);
    source.close();
    fallBack(body);
  });
  source.addEventListener("error", () => {
    failures += 1;
    body.dataset.liveState = "reconnecting";
    if (source.readyState === EventSource.CLOSED || (!ready && failures >= FAILURES_BEFORE_FALLBACK)) {
      window.clearTimeout(readyTimer);
      source.close();
      fallBack(body);
    }
  });
  window.addEventListener("pagehide", () => source.close(), { once: true });
}

export function startLive() {
  const body = document.body;
  if (!body?.dataset.liveUrl) return;
  document.addEventListener("htmx:afterRequest", settled);
  document.addEventListener("htmx:beforeRequest", started);
  document.addEventListener("htmx:afterProcessNode", processed);
  document.addEventListener("htmx:afterSettle", arrived);
  connect(body);
  // Back to a page kept in the browser's cache: its stream was closed on leaving; open a new one
  // (it resumes from the page's render time, so every change meanwhile is replayed).
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) connect(body);
  });
}
