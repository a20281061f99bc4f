// The complaint queue: j/k move the selection, Enter opens, c claims, r opens to reply.
// The selection survives the rows refreshing themselves (htmx polling) because it is kept by
// complaint id, not by row element.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

export function isTyping(event) {
  const target = event.target;
  return target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));
}

export default class extends Controller {
  static targets = ["row", "body"];

  connect() {
    this.selectedPk = null;
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

  // After a refresh or a claim swapped rows in, mark the same complaint again.
  restore() {
    const row = this.selected();
    if (row) {
      row.classList.add("selected");
      row.setAttribute("aria-selected", "true");
    }
  }
}
