// Agents' alerts (templates/automation/_alerts.html): htmx polls the unread list into a panel
// that the top bar's button opens. This controller keeps the button's count and the tab title
// in step, shows ONE small toast when a new alert arrives (then folds it back into the button),
// and raises a browser notification for each alert not yet notified in this browser session,
// when the agent allowed notifications.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

const NOTIFIED_KEY = "console-alerts-notified";
const TOAST_MS = 8000;
const TOAST_MIN_RESUME_MS = 2000;

function notifiedIds() {
  try {
    return new Set(JSON.parse(sessionStorage.getItem(NOTIFIED_KEY) || "[]"));
  } catch {
    return new Set();
  }
}

function remember(ids) {
  try {
    sessionStorage.setItem(NOTIFIED_KEY, JSON.stringify([...ids].slice(-200)));
  } catch {
    // storage full or disabled: notifications may repeat, nothing worse
  }
}

// What a list fragment shows, to tell a poll that changed nothing from one that did.
function signature(root) {
  const counter = root.querySelector("[data-alerts-count]");
  const ids = [...root.querySelectorAll("[data-alert-id]")].map((item) => item.dataset.alertId);
  return `${counter?.dataset.alertsCount ?? ""}:${ids.join(",")}`;
}

export default class extends Controller {
  static targets = ["button", "badge", "label", "panel", "list", "permission", "toast", "toastBody", "toastMore"];

  connect() {
    this.baseTitle = document.title.replace(/^\(\d+\+?\) /, "");
    this.toastTimer = null;
    this.toastRemaining = 0;
    this.focusMemo = null;
    this.showPermissionButton();
  }

  disconnect() {
    document.title = this.baseTitle;
    clearTimeout(this.toastTimer);
  }

  // --- the panel -------------------------------------------------------------------------

  get isOpen() {
    return !this.panelTarget.hidden;
  }

  toggle() {
    if (this.isOpen) this.close();
    else this.open();
  }

  open() {
    this.hideToast();
    this.panelTarget.hidden = false;
    this.buttonTarget.setAttribute("aria-expanded", "true");
    this.showPermissionButton();
  }

  close({ returnFocus = false } = {}) {
    if (!this.isOpen) return;
    this.panelTarget.hidden = true;
    this.buttonTarget.setAttribute("aria-expanded", "false");
    if (returnFocus) this.buttonTarget.focus();
  }

  // Keys typed inside the alerts belong to them: the queue's j/k/Enter/c shortcuts listen on
  // the window and would otherwise act on the selected row instead of the focused button.
  keydown(event) {
    if (event.key === "Escape" && (this.isOpen || !this.toastTarget.hidden)) {
      event.preventDefault();
      const focusInside = this.element.contains(document.activeElement);
      if (this.isOpen) this.close({ returnFocus: focusInside });
      else this.hideToast();
    }
    event.stopPropagation();
  }

  clickOutside(event) {
    if (this.isOpen && !this.element.contains(event.target)) this.close();
  }

  // --- polling -----------------------------------------------------------------------------

  beforeSwap(event) {
    if (event.detail.target !== this.listTarget || event.detail.isError) return;
    const incoming = document.createElement("template"); // inert: nothing in it runs
    incoming.innerHTML = event.detail.serverResponse;
    if (signature(incoming.content) === signature(this.listTarget)) {
      // Nothing changed: keep the DOM (and the keyboard focus inside it) as it is.
      event.detail.shouldSwap = false;
      return;
    }
    this.focusMemo = this.rememberFocus();
  }

  refresh(event) {
    if (event.target !== this.listTarget) return;
    const counter = this.listTarget.querySelector("[data-alerts-count]");
    const count = counter ? Number(counter.dataset.alertsCount) || 0 : 0;
    document.title = count > 0 ? `(${count}) ${this.baseTitle}` : this.baseTitle;
    this.badgeTarget.textContent = String(count);
    this.badgeTarget.hidden = count === 0;
    this.labelTarget.textContent = count > 0 ? counter.dataset.alertsLabel : "";
    this.buttonTarget.classList.toggle("has-alerts", count > 0);
    const items = [...this.listTarget.querySelectorAll("[data-alert-id]")];
    this.restoreFocus(items);
    this.dropToastIfGone(items);
    const fresh = this.notify(items);
    // Pushed alerts may arrive one list re-read at a time: a toast still showing means more.
    const more = !this.toastTarget.hidden;
    if (fresh.length && !this.isOpen) this.showToast(fresh, more);
  }

  // Raises the browser notifications; returns the alerts this browser session had not seen.
  notify(elements) {
    const seen = notifiedIds();
    const allowed = "Notification" in window && Notification.permission === "granted";
    const fresh = [];
    for (const element of elements) {
      const id = element.dataset.alertId;
      if (seen.has(id)) continue;
      seen.add(id);
      fresh.push(element);
      if (allowed) {
        const note = new Notification(element.dataset.alertTitle, {
          body: element.dataset.alertBody,
          tag: `alert-${id}`,
        });
        note.onclick = () => {
          window.focus();
          // The list may have been re-rendered since: click the alert's current button.
          const current = this.listTarget.querySelector(`[data-alert-id="${id}"] [data-alerts-open]`);
          (current || element.querySelector("[data-alerts-open]"))?.click();
        };
      }
    }
    remember(seen);
    return fresh;
  }

  // --- keyboard focus across swaps ---------------------------------------------------------

  rememberFocus() {
    const active = document.activeElement;
    if (!active || !this.listTarget.contains(active)) return null;
    const item = active.closest("[data-alert-id]");
    const items = [...this.listTarget.querySelectorAll("[data-alert-id]")];
    return { key: active.dataset.focusKey, id: item?.dataset.alertId, index: items.indexOf(item) };
  }

  // The focused button was replaced (or dismissed): focus its twin, the next alert's, or the panel.
  restoreFocus(items) {
    const memo = this.focusMemo;
    this.focusMemo = null;
    if (!memo || (document.activeElement && this.listTarget.contains(document.activeElement))) return;
    const same = items.find((item) => item.dataset.alertId === memo.id);
    const near = same || items[Math.min(Math.max(memo.index, 0), items.length - 1)];
    const target = near?.querySelector(`[data-focus-key="${memo.key}"]`) ||
      this.listTarget.querySelector("[data-focus-key]") || this.panelTarget;
    target.focus();
  }

  // --- the toast ---------------------------------------------------------------------------

  // One toast, whatever arrived: the newest new alert, and a line saying there are more.
  showToast(fresh, more = false) {
    const newest = fresh[0];
    const body = document.createDocumentFragment();
    for (const child of newest.children) {
      const copy = child.cloneNode(true);
      copy.querySelectorAll("[data-alerts-panel-only]").forEach((element) => element.remove());
      body.append(copy);
    }
    this.toastBodyTarget.replaceChildren(body);
    this.toastMoreTarget.hidden = fresh.length < 2 && !more;
    this.toastTarget.dataset.alertId = newest.dataset.alertId;
    this.toastTarget.hidden = false;
    this.toastRemaining = TOAST_MS;
    this.startToastTimer();
  }

  startToastTimer() {
    clearTimeout(this.toastTimer);
    this.toastStarted = Date.now();
    this.toastTimer = setTimeout(() => this.foldToast(), this.toastRemaining);
  }

  pauseToast() {
    if (this.toastTarget.hidden || this.toastTimer === null) return;
    clearTimeout(this.toastTimer);
    this.toastTimer = null;
    this.toastRemaining = Math.max(this.toastRemaining - (Date.now() - this.toastStarted), 0);
  }

  resumeToast() {
    const stillHeld = this.toastTarget.matches(":hover") || this.toastTarget.contains(document.activeElement);
    if (this.toastTarget.hidden || this.toastTimer !== null || stillHeld) return;
    this.toastRemaining = Math.max(this.toastRemaining, TOAST_MIN_RESUME_MS);
    this.startToastTimer();
  }

  // Time is up: the toast goes, and the button nods so the eye follows where it went.
  foldToast() {
    this.hideToast();
    this.buttonTarget.classList.remove("alerts-nudge");
    void this.buttonTarget.offsetWidth; // restart the animation
    this.buttonTarget.classList.add("alerts-nudge");
  }

  hideToast() {
    clearTimeout(this.toastTimer);
    this.toastTimer = null;
    if (this.toastTarget.contains(document.activeElement)) this.buttonTarget.focus();
    this.toastTarget.hidden = true;
    this.toastBodyTarget.replaceChildren();
    delete this.toastTarget.dataset.alertId;
  }

  dropToastIfGone(items) {
    const shown = this.toastTarget.dataset.alertId;
    if (shown && !items.some((item) => item.dataset.alertId === shown)) this.hideToast();
  }

  // --- browser notifications ---------------------------------------------------------------

  showPermissionButton() {
    if (!this.hasPermissionTarget) return;
    this.permissionTarget.hidden = !("Notification" in window) || Notification.permission !== "default";
  }

  async askPermission() {
    if (!("Notification" in window)) return;
    await Notification.requestPermission();
    this.showPermissionButton();
  }
}
