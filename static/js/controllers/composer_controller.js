// The reply composer: block editors cloned from server-rendered <template>s, serialised to the
// NormalMessage (or plain reply) JSON on every change, previewed and autosaved by the server.
//
// Markup contract (templates/messaging/composer/):
//   [data-scope="object"|"list"] with data-key: a JSON object / array under that key.
//   [data-key] fields (no data-scope): values; data-kind = bool | tristate | datetime; data-optional
//     omits an empty value. A list with data-items="value" holds bare values (item key "value").
//   select[data-role="switch"]: shows the sibling [data-case] matching its value; hidden cases are
//     not serialised (the action sub-form follows the action type).
//   [data-item] entries of a list that nobody typed into are not serialised (a list never starts
//     with an empty entry that blocks sending); [data-default-from=KEY] on an empty field sends the
//     value of the nearest KEY field around it (a question's message is the question itself).
//   details[data-options] fold a card's options; they open by themselves when they hold a value or
//     an error.
//   Text fields take their maxLength from the JSON Schema in data-composer-schema-value (see
//     composer_limits.js), not from the markup.
import ComposerBlocks from "./composer_blocks.js";
import { parentScope } from "./composer_form.js";
import { limitFields } from "./composer_limits.js";
import Sortable from "../../vendor/sortable-1.15.7.esm.js";

const PREVIEW_DELAY_MS = 400;
const SAVE_DELAY_MS = 1500;

export default class extends ComposerBlocks {
  static targets = [
    "form", "root", "content", "blockList", "blockTemplate", "preview", "status",
    "globalErrors", "templateSelect", "counter",
  ];

  static values = {
    mode: String,
    previewUrl: String,
    saveUrl: String,
    templateUrl: String,
    initial: Object,
    errors: Array,
    schema: Object,
  };

  connect() {
    this.cursor = null;
    this.sequence = 0;
    this.onInput = this.onInput.bind(this);
    this.onFocus = this.onFocus.bind(this);
    this.onPaste = this.onPaste.bind(this);
    this.flush = this.flush.bind(this);
    this.onVisibility = () => { if (document.visibilityState === "hidden") this.flush(); };
    this.element.addEventListener("input", this.onInput);
    this.element.addEventListener("change", this.onInput);
    this.element.addEventListener("focusin", this.onFocus);
    this.element.addEventListener("paste", this.onPaste);
    window.addEventListener("pagehide", this.flush);
    document.addEventListener("visibilitychange", this.onVisibility);

    this.fill(this.rootTarget, this.initialValue);
    this.syncSwitches(this.rootTarget);
    this.revealFilledOptions(this.rootTarget);
    this.writeContent();
    this.updateCounter();
    if (this.hasBlockListTarget) {
      this.sortable = Sortable.create(this.blockListTarget, {
        handle: ".drag-handle",
        draggable: "[data-block]",
        animation: 150,
        forceFallback: true,
        onEnd: () => this.changed(),
      });
    }
    // Errors the server found on a submitted template form, shown beside their fields.
    const errors = this.errorsValue;
    this.requestPreview().then(() => { if (errors.length) this.showErrors(errors, []); });
  }

  disconnect() {
    // No flush here: the composer is only swapped out after a successful send (whose draft the
    // server has just cleared); leaving the page is handled by pagehide / visibilitychange.
    clearTimeout(this.saveTimer);
    clearTimeout(this.previewTimer);
    this.element.removeEventListener("input", this.onInput);
    this.element.removeEventListener("change", this.onInput);
    this.element.removeEventListener("focusin", this.onFocus);
    this.element.removeEventListener("paste", this.onPaste);
    window.removeEventListener("pagehide", this.flush);
    document.removeEventListener("visibilitychange", this.onVisibility);
    if (this.sortable) this.sortable.destroy();
  }

  message(name) {
    return this.element.dataset[`msg${name}`] || "";
  }

  // --- events -----------------------------------------------------------------------------------

  onInput(event) {
    const target = event.target;
    if (!this.rootTarget.contains(target) || target.type === "file") return;
    if (target.matches('select[data-role="switch"]')) this.syncSwitches(parentScope(target) || this.rootTarget);
    if (target.matches("[data-counter]")) this.updateCounter();
    this.changed();
  }

  onFocus(event) {
    const block = event.target.closest("[data-block]");
    if (block && this.rootTarget.contains(block)) this.cursor = block;
  }

  onPaste(event) {
    // A field with a maximum length silently drops what does not fit: cut it here and say so.
    const field = event.target;
    if (!this.rootTarget.contains(field) || !(field.maxLength > 0) || !event.clipboardData) return;
    const text = event.clipboardData.getData("text/plain");
    const start = field.selectionStart ?? field.value.length;
    const end = field.selectionEnd ?? start;
    const room = Math.max(field.maxLength - (field.value.length - (end - start)), 0);
    this.clearCutNote(field);
    if (text.length <= room) return;
    event.preventDefault();
    const kept = text.slice(0, room);
    const cut = text.slice(room);
    field.setRangeText(kept, start, end, "end");
    field.dispatchEvent(new Event("input", { bubbles: true }));
    const excerpt = cut.length > 40 ? `${cut.slice(0, 40)}…` : cut;
    const note = document.createElement("p");
    note.className = "paste-note";
    note.setAttribute("role", "alert");
    note.dataset.testid = "paste-cut";
    const limit = field.hasAttribute("data-console-limit") ? "PasteCutConsole" : "PasteCut";
    note.textContent = this.message(limit)
      .replace("{kept}", String(kept.length))
      .replace("{pasted}", String(text.length))
      .replace("{max}", String(field.maxLength))
      .replace("{cut}", excerpt);
    (field.closest("label") || field).after(note);
    field.pasteNote = note;
  }

  clearCutNote(field) {
    if (field && field.pasteNote) { field.pasteNote.remove(); field.pasteNote = null; }
    if (!field) for (const note of this.element.querySelectorAll(".paste-note")) note.remove();
  }

  changed() {
    this.writeContent();
    clearTimeout(this.previewTimer);
    this.previewTimer = setTimeout(() => this.requestPreview(), PREVIEW_DELAY_MS);
    if (this.saveUrlValue) {
      this.savePending = true;
      clearTimeout(this.saveTimer);
      this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS);
    }
  }

  beforeSubmit(event) {
    // The content goes with the confirmation; a save racing the send could bring back the draft
    // the send clears, so the pending save waits (it still happens if the agent leaves the page).
    this.writeContent();
    clearTimeout(this.saveTimer);
    // A plain form (the template editor) posts once: a second click would answer "name taken".
    // (The composer's form is htmx's, which drops a submit while one is in flight: hx-sync.)
    if (this.modeValue !== "template") return;
    if (this.submitted) { event.preventDefault(); return; }
    this.submitted = true;
  }

  // --- serialisation ----------------------------------------------------------------------------

  currentContent() {
    return this.serializeScope(this.rootTarget);
  }

  writeContent() {
    const content = this.currentContent();
    const json = this.modeValue === "template" ? { blocks: content.blocks || [] } : content;
    this.contentTarget.value = JSON.stringify(json);
    this.numberBlocks();
    // Every change that adds fields (a block, an entry, a template, a draft) passes here.
    limitFields(this.schemaValue, this.rootTarget);
  }

  // --- blocks and items -------------------------------------------------------------------------

  async once(event, name, work) {
    if (this.busy === undefined) this.busy = new Set();
    if (this.busy.has(name)) return;
    this.busy.add(name);
    const button = event && event.currentTarget;
    if (button) { button.disabled = true; button.setAttribute("aria-busy", "true"); }
    try {
      await work();
    } finally {
      this.busy.delete(name);
      if (button) { button.disabled = false; button.removeAttribute("aria-busy"); }
    }
  }

  insertTemplate(event) {
    return this.once(event, "template", () => this.loadTemplate());
  }

  async loadTemplate() {
    const id = this.templateSelectTarget.value;
    if (!id) return;
    const url = this.templateUrlValue.replace(/\/0\/$/, `/${id}/`);
    const response = await fetch(url, { headers: { Accept: "application/json" } }).catch(() => null);
    if (!response || !response.ok) { this.showGlobal(this.message("TemplateFailed")); return; }
    const data = await response.json();
    if (!this.hasBlockListTarget) {
      // The plain reply: the template's text goes in at the cursor, replacing nothing.
      const field = this.rootTarget.querySelector("[data-counter]");
      if (field && data.text) this.insertText(field, data.text);
      this.updateCounter();
      this.changed();
      return;
    }
    const first = this.insertBlocks(data.blocks || []);
    if (first) this.focusFirst(first);
    this.changed();
  }

  insertText(field, text) {
    const at = field.selectionEnd ?? field.value.length;
    const before = field.value.slice(0, at);
    const piece = before && !before.endsWith("\n") ? `\n${text}` : text;
    field.setRangeText(piece, at, at, "end");
    field.focus();
  }

  discard(event) {
    const url = event.currentTarget.dataset.url;
    return this.once(event, "discard", () => this.discardDraft(url));
  }

  async discardDraft(url) {
    const response = await this.post(url, new FormData());
    if (!response || !response.ok) return;
    const data = await response.json();
    clearTimeout(this.saveTimer);
    this.savePending = false;
    this.clearCutNote(null);
    this.fill(this.rootTarget, data.content);
    this.writeContent();
    this.updateCounter();
    this.statusTarget.textContent = data.status;
    this.requestPreview();
  }

  updateCounter() {
    if (!this.hasCounterTarget) return;
    const field = this.rootTarget.querySelector("[data-counter]");
    const length = Array.from(field.value).length;
    const max = field.maxLength > 0 ? field.maxLength : 0;
    this.counterTarget.textContent = max ? `${length} / ${max}` : String(length);
    this.counterTarget.classList.toggle("warn", max > 0 && length >= max);
  }

  // --- server round trips -----------------------------------------------------------------------

  csrfToken() {
    const input = this.element.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  post(url, body, options = {}) {
    body.append("csrfmiddlewaretoken", this.csrfToken());
    return fetch(url, {
      method: "POST",
      body,
      headers: { "X-CSRFToken": this.csrfToken(), Accept: "application/json" },
      credentials: "same-origin",
      ...options,
    }).catch(() => null);
  }

  contentForm() {
    const form = new FormData();
    form.append("content", this.contentTarget.value);
    return form;
  }

  async requestPreview() {
    if (!this.previewUrlValue) return;
    const sequence = ++this.sequence;
    const response = await this.post(this.previewUrlValue, this.contentForm());
    if (!response || sequence !== this.sequence) return;
    const data = await response.json().catch(() => ({}));
    this.applyServerAnswer(data);
  }

  async save() {
    if (!this.saveUrlValue || !this.savePending) return;
    this.savePending = false;
    const sequence = ++this.sequence;
    this.statusTarget.textContent = this.message("Saving");
    const response = await this.post(this.saveUrlValue, this.contentForm());
    if (!response || !response.ok) {
      this.statusTarget.textContent = this.message("SaveFailed");
      this.savePending = true;
      this.saveTimer = setTimeout(() => this.save(), SAVE_DELAY_MS * 4);
      return;
    }
    const data = await response.json();
    this.statusTarget.textContent = data.status;
    if (sequence === this.sequence) this.applyServerAnswer(data);
  }

  flush() {
    // Leaving the page: send the pending draft now; keepalive lets it outlive the page.
    if (!this.saveUrlValue || !this.savePending) return;
    clearTimeout(this.saveTimer);
    this.savePending = false;
    this.post(this.saveUrlValue, this.contentForm(), { keepalive: true });
  }

  applyServerAnswer(data) {
    if (typeof data.preview === "string") this.previewTarget.innerHTML = data.preview;
    if (data.error) { this.showGlobal(data.error); return; }
    this.showErrors(data.errors || [], data.warnings || []);
  }

}
