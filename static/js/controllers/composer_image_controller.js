// One image slot of the composer: drop or pick a file, check it here (type by content, size),
// upload it to the merchant's library (the server checks again and queues its upload to WeChat Pay,
// once per sha256), or reuse an image from the library. Writes the media_id into its hidden field.
// While WeChat Pay's upload runs (a task), the slot follows the image: its live "image.changed"
// events (static/js/live.js), and a slow re-read when the stream is down.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

const MAX_BYTES = 2 * 1024 * 1024;
const FALLBACK_MS = 5000; // re-read a pending upload this often even without live events
const MAGIC = [
  [0xff, 0xd8, 0xff],
  [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
  [0x42, 0x4d],
];

export default class extends Controller {
  static targets = ["mediaId", "thumb", "file", "message", "retry", "library", "libraryToggle"];

  static values = { uploadUrl: String, libraryUrl: String, mediaUrl: String, retryUrl: String };

  disconnect() {
    this.stopFollowing();
  }

  connect() {
    if (this.mediaIdTarget.value) {
      this.showThumb(`${this.mediaUrlValue}?media_id=${encodeURIComponent(this.mediaIdTarget.value)}`);
    }
  }

  text(name) {
    return this.element.dataset[`msg${name}`] || name;
  }

  say(text, kind = "") {
    this.messageTarget.textContent = text;
    this.messageTarget.className = `image-message ${kind}`;
  }

  showThumb(url) {
    this.thumbTarget.src = url;
    this.thumbTarget.hidden = false;
  }

  setMedia(mediaId, url) {
    this.mediaIdTarget.value = mediaId;
    if (url) this.showThumb(url);
    this.mediaIdTarget.dispatchEvent(new Event("input", { bubbles: true }));
  }

  dragOver(event) {
    event.preventDefault();
    this.element.classList.add("dragging");
  }

  dragLeave() {
    this.element.classList.remove("dragging");
  }

  drop(event) {
    event.preventDefault();
    this.element.classList.remove("dragging");
    const file = event.dataTransfer && event.dataTransfer.files[0];
    if (file) this.handle(file);
  }

  pick() {
    const file = this.fileTarget.files[0];
    if (file) this.handle(file);
  }

  async isImage(file) {
    const head = new Uint8Array(await file.slice(0, 8).arrayBuffer());
    return MAGIC.some((magic) => magic.every((byte, i) => head[i] === byte)) && file.size > 26;
  }

  async handle(file) {
    this.retryTarget.hidden = true;
    if (file.size > MAX_BYTES) { this.say(this.text("TooBig"), "error"); return; }
    if (!(await this.isImage(file))) { this.say(this.text("BadType"), "error"); return; }
    const body = new FormData();
    body.append("file", file, file.name);
    await this.send(this.uploadUrlValue, body);
  }

  imageUrl(id, action) {
    return this.retryUrlValue.replace(/\/0\/retry\/$/, `/${id}/${action}/`);
  }

  retry() {
    this.send(this.imageUrl(this.retryTarget.dataset.imageId, "retry"), new FormData());
  }

  csrfToken() {
    const form = this.element.closest("form");
    const input = form && form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  async send(url, body) {
    // One upload at a time: a double click on "Retry upload" (or a drop while uploading) waits.
    if (this.sending) return;
    this.sending = true;
    this.retryTarget.disabled = true;
    try {
      await this.upload(url, body);
    } finally {
      this.sending = false;
      this.retryTarget.disabled = false;
    }
  }

  async upload(url, body) {
    this.say(this.text("Uploading"));
    let response = null;
    try {
      response = await fetch(url, {
        method: "POST",
        body,
        headers: { "X-CSRFToken": this.csrfToken(), Accept: "application/json" },
        credentials: "same-origin",
      });
    } catch {
      this.say(this.text("Offline"), "error");
      return;
    }
    this.show(await response.json().catch(() => ({})));
  }

  show(data) {
    this.stopFollowing();
    if (data.status === "pending" && data.id) {
      this.follow(data.id);
    } else if (data.media_id) {
      this.setMedia(data.media_id, data.url);
      this.say(this.text("Uploaded"), "ok");
    } else if (data.id) {
      this.say(data.error || this.text("Failed"), "error");
      this.retryTarget.dataset.imageId = data.id;
      this.retryTarget.hidden = false;
      this.showThumb(data.url);
    } else {
      this.say(data.error || this.text("Failed"), "error");
    }
  }

  follow(id) {
    const check = () => this.check(id);
    this.onLive = (event) => {
      const change = event.detail || {};
      if (change.kind === "reset" || (change.kind === "image.changed" && String(change.image_id) === String(id))) check();
    };
    document.addEventListener("live:change", this.onLive);
    this.followTimer = window.setInterval(check, FALLBACK_MS);
    check(); // the upload may have finished before this slot started listening
  }

  stopFollowing() {
    if (this.onLive) document.removeEventListener("live:change", this.onLive);
    if (this.followTimer) window.clearInterval(this.followTimer);
    this.onLive = null;
    this.followTimer = null;
  }

  async check(id) {
    if (this.checking) return;
    this.checking = true;
    try {
      const response = await fetch(this.imageUrl(id, "status"), {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      const data = await response.json().catch(() => ({}));
      if (data.status !== "pending" && this.onLive) this.show(data);
    } catch {
      // Offline for a moment: the next event or tick asks again.
    } finally {
      this.checking = false;
    }
  }

  async toggleLibrary() {
    const open = this.libraryTarget.hidden;
    this.libraryTarget.hidden = !open;
    this.libraryToggleTarget.setAttribute("aria-expanded", String(open));
    if (!open) return;
    const response = await fetch(this.libraryUrlValue, { headers: { Accept: "application/json" } });
    const data = await response.json().catch(() => ({ images: [] }));
    this.libraryTarget.replaceChildren();
    if (!data.images || data.images.length === 0) {
      this.libraryTarget.textContent = this.text("LibraryEmpty");
      return;
    }
    for (const image of data.images) {
      const button = document.createElement("button");
      button.type = "button";
      button.className = "library-image";
      button.dataset.action = "composer-image#choose";
      button.dataset.mediaId = image.media_id;
      button.dataset.url = image.url;
      button.setAttribute("aria-label", image.filename);
      const img = document.createElement("img");
      img.src = image.url;
      img.alt = "";
      button.append(img);
      this.libraryTarget.append(button);
    }
  }

  choose(event) {
    const { mediaId, url } = event.currentTarget.dataset;
    this.setMedia(mediaId, url);
    this.libraryTarget.hidden = true;
    this.libraryToggleTarget.setAttribute("aria-expanded", "false");
    this.say(this.text("Chosen"), "ok");
    this.libraryToggleTarget.focus();
  }
}
