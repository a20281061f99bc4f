// The composer's block list: adding, duplicating, moving and removing blocks and list entries.
// The middle layer of the composer controller (composer_form.js beneath, the controller above:
// `changed()` and the targets are the controller's).
import ComposerForm, { parentScope } from "./composer_form.js";

export default class ComposerBlocks extends ComposerForm {
  blockListScope() {
    return this.hasBlockListTarget ? this.blockListTarget.closest('[data-scope="list"]') : null;
  }

  itemsContainer(list) {
    return list.querySelector(":scope > [data-items]") || list;
  }

  newBlock(type) {
    const template = this.blockTemplateTargets.find((t) => t.dataset.type === type);
    return template ? template.content.firstElementChild.cloneNode(true) : null;
  }

  newItem(list) {
    const template = list.querySelector(":scope > template[data-item-template]");
    return template ? template.content.firstElementChild.cloneNode(true) : null;
  }

  insertBlocks(blocks) {
    let anchor = this.cursor && this.blockListTarget.contains(this.cursor) ? this.cursor : null;
    let first = null;
    for (const data of blocks) {
      const block = this.newBlock(data && data.type);
      if (!block) continue;
      this.fill(block, data);
      this.revealFilledOptions(block);
      if (anchor) anchor.after(block); else this.blockListTarget.append(block);
      anchor = block;
      first = first || block;
    }
    if (anchor) this.cursor = anchor;
    return first;
  }

  addBlock(event) {
    const type = event.currentTarget.dataset.type;
    const block = this.newBlock(type);
    if (!block) return;
    // New lists start with one entry: an empty FAQ list or button group is never valid.
    for (const list of block.querySelectorAll('[data-scope="list"]')) {
      const item = this.newItem(list);
      if (item) this.itemsContainer(list).append(item);
    }
    const anchor = this.cursor && this.blockListTarget.contains(this.cursor) ? this.cursor : null;
    if (anchor) anchor.after(block); else this.blockListTarget.append(block);
    this.syncSwitches(block);
    this.cursor = block;
    this.focusFirst(block);
    this.changed();
  }

  addItem(event) {
    const list = event.currentTarget.closest('[data-scope="list"]');
    const max = Number(list.dataset.max || 0);
    if (max && this.scopes(list).length >= max) return;
    const item = this.newItem(list);
    if (!item) return;
    this.itemsContainer(list).append(item);
    this.syncSwitches(item);
    this.focusFirst(item);
    this.changed();
  }

  entryOf(event) {
    return event.currentTarget.closest("[data-item], [data-block]");
  }

  moveUp(event) {
    const entry = this.entryOf(event);
    const previous = entry.previousElementSibling;
    if (previous) { previous.before(entry); event.currentTarget.focus(); this.changed(); }
  }

  moveDown(event) {
    const entry = this.entryOf(event);
    const next = entry.nextElementSibling;
    if (next) { next.after(entry); event.currentTarget.focus(); this.changed(); }
  }

  duplicate(event) {
    const entry = this.entryOf(event);
    const data = this.serializeScope(entry);
    const copy = entry.hasAttribute("data-block") ? this.newBlock(data.type) : this.newItem(parentScope(entry));
    if (!copy) return;
    this.fill(copy, data);
    this.revealFilledOptions(copy);
    entry.after(copy);
    this.focusFirst(copy);
    this.changed();
  }

  remove(event) {
    const entry = this.entryOf(event);
    const neighbour = entry.nextElementSibling || entry.previousElementSibling;
    if (this.cursor === entry) this.cursor = null;
    entry.remove();
    if (neighbour) this.focusFirst(neighbour);
    this.changed();
  }

  focusFirst(element) {
    const field = element.querySelector("textarea, input:not([type=hidden]), select, button");
    if (field) field.focus();
  }

  // One request at a time per button: a double click (or a click while waiting) does it once.
}
