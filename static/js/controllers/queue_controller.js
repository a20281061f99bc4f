// The complaint queue: j/k move the selection, Enter opens, c claims, r opens to reply.
// The rows follow the live stream: on each change htmx re-reads them (hx-swap="none") and
// merge() inserts, moves, replaces and removes rows in place, keyed by complaint, so nothing
// flickers and the selection, the focus and the scroll position stay where they were.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

export function isTyping(event) {
  const target = event.target;
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

function rowKey(row) {
  return row.dataset.complaintPk || row.textContent.trim();
}

// A row as the server sent it, without what differs on every render (the CSRF token), so an
// unchanged complaint keeps its row element: the selection class and focus live on it.
const served = new WeakMap();
function fingerprint(html) {
  return html.replace(/name="csrfmiddlewaretoken" value="[^"]*"/g, "");
}

export default class extends Controller {
  static targets = ["row", "body"];

  connect() {
    this.selectedPk = null;
    for (const row of this.bodyTarget.children) served.set(row, fingerprint(row.outerHTML));
  }

  key(event) {
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || isTyping(event)) {
      return;
    }
    const actions = { j: () => this.move(1), k: () => this.move(-1), Enter: () => this.open(),
      c: () => this.claim(), r: () => this.open("#reply") };
    const action = actions[event.key];
    if (action && (event.key !== "Enter" || this.selected())) {
      event.preventDefault();
      action();
    }
  }

  selected() {
    return this.rowTargets.find((row) => row.dataset.complaintPk === this.selectedPk);
  }

  move(step) {
    const rows = this.rowTargets;
    if (!rows.length) return;
    const index = rows.indexOf(this.selected());
    const next = index < 0 ? (step > 0 ? 0 : rows.length - 1)
      : Math.min(Math.max(index + step, 0), rows.length - 1);
    this.select(rows[next]);
  }

  select(row) {
    for (const other of this.rowTargets) {
      other.classList.remove("selected");
      other.removeAttribute("aria-selected");
    }
    if (!row) return;
    this.selectedPk = row.dataset.complaintPk;
    row.classList.add("selected");
    row.setAttribute("aria-selected", "true");
    row.scrollIntoView({ block: "nearest" });
  }

  open(hash = "") {
    const row = this.selected();
    if (row) window.location.assign(row.dataset.url + hash);
  }

  claim() {
    const button = this.selected()?.querySelector("[data-queue-claim]");
    if (button) button.click();
  }

  merge(event) {
    if (event.detail.elt !== this.bodyTarget || !event.detail.successful) return;
    const incoming = document.createElement("template"); // inert: nothing in it runs
    incoming.innerHTML = `<table><tbody>${event.detail.xhr.responseText}</tbody></table>`;
    const fresh = [...incoming.content.querySelector("tbody").children];
    const existing = new Map([...this.bodyTarget.children].map((row) => [rowKey(row), row]));
    const changed = [];
    let cursor = this.bodyTarget.firstElementChild;
    for (const row of fresh) {
      const key = rowKey(row);
      let placed = existing.get(key);
      existing.delete(key);
      const html = fingerprint(row.outerHTML);
      if (!placed || served.get(placed) !== html) {
        const copy = document.importNode(row, true);
        served.set(copy, html);
        if (placed) {
          if (placed === cursor) cursor = copy;
          placed.replaceWith(copy);
        }
        placed = copy;
        changed.push(copy);
      }
      if (placed === cursor) cursor = cursor.nextElementSibling;
      else this.bodyTarget.insertBefore(placed, cursor);
    }
    if (window.htmx) changed.forEach((row) => window.htmx.process(row));
    for (const gone of existing.values()) gone.remove();
    this.restore();
  }

  // After a refresh or a claim swapped rows in, mark the same complaint again.
  restore() {
    const row = this.selected();
    if (row) {
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
    }
  }
}
