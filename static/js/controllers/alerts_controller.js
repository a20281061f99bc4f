// Agents' alerts: the list is polled by htmx (see templates/automation/_alerts.html); this
// controller keeps the tab title's count in step and raises a browser notification for each
// alert not yet notified in this browser session, when the agent allowed notifications.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

const NOTIFIED_KEY = "console-alerts-notified";

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

export default class extends Controller {
  static targets = ["list", "permission"];

  connect() {
    this.baseTitle = document.title.replace(/^\(\d+\+?\) /, "");
    this.showPermissionButton();
  }

  disconnect() {
    document.title = this.baseTitle;
  }

  refresh(event) {
    if (event.target !== this.listTarget) return;
    const counter = this.listTarget.querySelector("[data-alerts-count]");
    const count = counter ? Number(counter.dataset.alertsCount) || 0 : 0;
    document.title = count > 0 ? `(${count}) ${this.baseTitle}` : this.baseTitle;
    this.notify(this.listTarget.querySelectorAll("[data-alert-id]"));
  }

  notify(elements) {
    const seen = notifiedIds();
    const allowed = "Notification" in window && Notification.permission === "granted";
    for (const element of elements) {
      const id = element.dataset.alertId;
      if (seen.has(id)) continue;
      seen.add(id);
      if (allowed) {
        const note = new Notification(element.dataset.alertTitle, {
          body: element.dataset.alertBody,
          tag: `alert-${id}`,
        });
        note.onclick = () => {
          window.focus();
          element.querySelector("button[type=submit]")?.click();
        };
      }
    }
    remember(seen);
  }

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
