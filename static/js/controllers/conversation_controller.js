// The conversation of an immediate-service complaint (complaints/_layout_conversation.html).
// It opens at the newest message and follows new ones while the agent is at the bottom. The
// history is swapped in again whenever something changes (htmx today, a live event later): a
// MutationObserver sees any replacement, and new items are told from old ones by their
// data-item-key. An agent who has scrolled up keeps their place (the first item they could see
// stays where it was); a new consumer message or button tap then shows the "new message"
// marker, which scrolls down when clicked.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

const NEAR_BOTTOM_PX = 32; // this close to the end counts as "at the bottom"
const ITEM = "[data-item-key]";

export default class extends Controller {
  static targets = ["scroller", "marker"];

  connect() {
    this.known = this.keys();
    this.follow(true); // at the bottom: new items scroll into view
    this.jumping = false; // a smooth scroll to the bottom is under way
    this.anchor = null; // while scrolled up: { key, offset } of the first item in view
    this.frame = null;
    this.beforeSwap = () => this.measure();
    this.element.addEventListener("htmx:beforeSwap", this.beforeSwap);
    this.mutations = new MutationObserver(() => this.changed());
    this.mutations.observe(this.scrollerTarget, { childList: true, subtree: true });
    this.resizes = new ResizeObserver(() => this.keepPlace());
    this.observeSizes();
    this.scrollToBottom("instant");
  }

  disconnect() {
    this.element.removeEventListener("htmx:beforeSwap", this.beforeSwap);
    this.mutations.disconnect();
    this.resizes.disconnect();
    if (this.frame) cancelAnimationFrame(this.frame);
  }

  // --- actions ---------------------------------------------------------------------------

  scrolled() {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = null;
      this.measure();
    });
  }

  settled() {
    this.jumping = false;
    this.measure();
  }

  jump() {
    this.hideMarker();
    this.follow(true);
    this.jumping = true;
    const calm = window.matchMedia("(prefers-reduced-motion: reduce)").matches;
    this.scrollToBottom(calm ? "instant" : "smooth");
    this.scrollerTarget.focus({ preventScroll: true });
  }

  // --- what happened ---------------------------------------------------------------------

  measure() {
    const atBottom = this.distanceFromBottom() <= NEAR_BOTTOM_PX;
    if (this.jumping && !atBottom) return; // still on the way down
    this.jumping = false;
    this.follow(atBottom);
    this.anchor = atBottom ? null : this.firstInView();
    if (atBottom) this.hideMarker();
  }

  changed() {
    const keys = this.keys();
    const fresh = [...keys].filter((key) => !this.known.has(key)).map((key) => this.item(key));
    for (const key of keys) this.known.add(key);
    for (const element of fresh) element.classList.add("is-new");
    this.observeSizes(); // the list's container itself may have been replaced
    this.keepPlace();
    if (!this.following && fresh.some((element) => element.dataset.side === "user")) {
      this.markerTarget.hidden = false;
    }
  }

  keepPlace() {
    if (this.jumping) {
      this.scrollToBottom("smooth"); // on the way down: the bottom moved, go to the new one
      return;
    }
    if (this.following) {
      this.scrollToBottom("instant");
      return;
    }
    const anchored = this.anchor && this.item(this.anchor.key);
    if (!anchored) return;
    const moved = this.offsetOf(anchored) - this.anchor.offset;
    if (Math.abs(moved) >= 1) this.scrollerTarget.scrollTop += moved;
  }

  // --- helpers ---------------------------------------------------------------------------

  keys() {
    return new Set([...this.scrollerTarget.querySelectorAll(ITEM)].map((el) => el.dataset.itemKey));
  }

  item(key) {
    return this.scrollerTarget.querySelector(`[data-item-key="${CSS.escape(key)}"]`);
  }

  firstInView() {
    for (const element of this.scrollerTarget.querySelectorAll(ITEM)) {
      const offset = this.offsetOf(element);
      if (offset + element.offsetHeight > 0) return { key: element.dataset.itemKey, offset };
    }
    return null;
  }

  offsetOf(element) {
    return element.getBoundingClientRect().top - this.scrollerTarget.getBoundingClientRect().top;
  }

  distanceFromBottom() {
    const scroller = this.scrollerTarget;
    return scroller.scrollHeight - scroller.scrollTop - scroller.clientHeight;
  }

  scrollToBottom(behavior) {
    this.scrollerTarget.scrollTo({ top: this.scrollerTarget.scrollHeight, behavior });
  }

  observeSizes() {
    this.resizes.disconnect();
    this.resizes.observe(this.scrollerTarget);
    for (const child of this.scrollerTarget.children) this.resizes.observe(child);
  }

  follow(following) {
    this.following = following;
    this.element.dataset.following = String(following); // for styles and tests
  }

  hideMarker() {
    this.markerTarget.hidden = true;
  }
}
