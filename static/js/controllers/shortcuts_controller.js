// Keyboard shortcuts shared by the queue and the complaint page: ? lists them; on the
// complaint page c claims and r jumps to the reply composer.
import { Controller } from "../../vendor/stimulus-3.2.2.js";
import { isTyping } from "./queue_controller.js";

export default class extends Controller {
  static targets = ["help"];
  static values = { scope: String };

  key(event) {
    if (event.defaultPrevented || event.metaKey || event.ctrlKey || event.altKey || isTyping(event)) {
      return;
    }
    if (event.key === "?") {
      event.preventDefault();
      this.toggleHelp();
      return;
    }
    if (this.scopeValue !== "detail") return;
    if (event.key === "c") {
      const claim = document.querySelector("[data-shortcut='claim']:not([disabled])");
      if (claim) {
        event.preventDefault();
        claim.click();
      }
    } else if (event.key === "r") {
      const reply = document.getElementById("reply");
      const field = reply?.querySelector("textarea, input:not([type=hidden]), [contenteditable]");
      if (reply) {
        event.preventDefault();
        reply.scrollIntoView({ block: "start" });
        if (field) field.focus();
      }
    }
  }

  toggleHelp() {
    if (!this.hasHelpTarget) return;
    if (this.helpTarget.open) this.helpTarget.close();
    else this.helpTarget.showModal();
  }
}
