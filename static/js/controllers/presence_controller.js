// Presence on a complaint page: the page's live stream keeps the viewer present (and its end
// removes them); this controller only says whether the agent is composing a reply, posting at
// once when that changes. Soft state: nothing is ever locked.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

export default class extends Controller {
  static targets = ["mode", "composer"];

  connect() {
    // Leaving the page blurs the composer: that must not re-announce the agent after the stream
    // has already said they left.
    this.leave = () => { this.leaving = true; };
    this.back = () => { this.leaving = false; };
    window.addEventListener("pagehide", this.leave);
    window.addEventListener("pageshow", this.back);
  }

  disconnect() {
    window.removeEventListener("pagehide", this.leave);
    window.removeEventListener("pageshow", this.back);
  }

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
    if (this.leaving || !this.hasModeTarget || this.modeTarget.value === mode) return;
    this.modeTarget.value = mode;
    const presence = document.getElementById("presence");
    if (presence && window.htmx) window.htmx.trigger(presence, "presence-change");
  }
}
