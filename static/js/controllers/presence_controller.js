// Presence on a complaint page: htmx posts a heartbeat every 10 s (see detail.html); this
// controller only says whether the agent is composing a reply, and sends a heartbeat at once
// when that changes. Soft state: nothing is ever locked.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

export default class extends Controller {
  static targets = ["mode", "composer"];

  focus(event) {
    this.update(this.inComposer(event.target) ? "composing" : "viewing");
  }

  blur(event) {
    if (!this.inComposer(event.relatedTarget)) this.update("viewing");
  }

  inComposer(element) {
    return this.hasComposerTarget && element instanceof Node && this.composerTarget.contains(element);
  }

  update(mode) {
    if (!this.hasModeTarget || this.modeTarget.value === mode) return;
    this.modeTarget.value = mode;
    const presence = document.getElementById("presence");
    if (presence && window.htmx) window.htmx.trigger(presence, "presence-change");
  }
}
