// The composer's form, as markup: serialise the editors to JSON, fill them from JSON, and place
// the server's errors beside their fields. The composer controller extends it (see there for
// the markup contract); it holds no state of its own.
import { Controller } from "../../vendor/stimulus-3.2.2.js";

const BEIJING_OFFSET_MS = 8 * 3600 * 1000;

function isEmpty(value) {
  if (Array.isArray(value)) return value.length === 0;
  return value !== null && typeof value === "object" && Object.keys(value).length === 0;
}

function isObject(value) {
  return value !== null && typeof value === "object" && !Array.isArray(value);
}

export function parentScope(element) {
  return element.parentElement ? element.parentElement.closest("[data-scope]") : null;
}

export default class ComposerForm extends Controller {
  directChildren(scope, selector) {
    return Array.from(scope.querySelectorAll(selector)).filter((el) => parentScope(el) === scope);
  }

  fields(scope) { return this.directChildren(scope, "[data-key]:not([data-scope])"); }

  scopes(scope) { return this.directChildren(scope, "[data-scope]"); }

  isActive(element, scope) {
    for (let node = element; node && node !== scope; node = node.parentElement) {
      if (node.hidden) return false;
    }
    return true;
  }

  // The entries of a list that are serialised (and that error paths count).
  entries(list) {
    return this.scopes(list).filter((entry) => !this.isUntouched(entry));
  }

  isUntouched(entry) {
    if (!entry.hasAttribute("data-item")) return false;
    const typed = entry.querySelectorAll('input[data-key]:not([type=checkbox]), textarea[data-key]');
    return Array.from(typed).every((field) => field.value.trim() === "");
  }

  defaultFor(field) {
    for (let scope = parentScope(field); scope; scope = parentScope(scope)) {
      const source = this.fields(scope).find((f) => f.dataset.key === field.dataset.defaultFrom);
      if (source) return source.value;
    }
    return "";
  }

  serializeScope(scope) {
    if (scope.dataset.scope === "list") {
      const values = this.entries(scope).map((item) => this.serializeScope(item));
      if (scope.dataset.items === "value") return values.map((v) => v.value).filter((v) => v);
      return values;
    }
    const result = {};
    for (const field of this.fields(scope)) {
      if (!this.isActive(field, scope)) continue;
      let value = this.fieldValue(field);
      if (value === "" && field.dataset.defaultFrom) value = this.defaultFor(field);
      if (value !== undefined) result[field.dataset.key] = value;
    }
    for (const child of this.scopes(scope)) {
      if (!child.dataset.key || !this.isActive(child, scope)) continue;
      const value = this.serializeScope(child);
      if (child.hasAttribute("data-optional") && isEmpty(value)) continue;
      // A key may have several scopes (the main field inline, its options folded): one object.
      const before = result[child.dataset.key];
      result[child.dataset.key] = isObject(before) && isObject(value) ? { ...before, ...value } : value;
    }
    return result;
  }

  fieldValue(field) {
    const optional = field.hasAttribute("data-optional");
    switch (field.dataset.kind) {
      case "bool":
        return field.checked ? true : (optional ? undefined : false);
      case "tristate":
        return field.value === "" ? undefined : field.value === "true";
      case "datetime":
        // datetime-local in Beijing time -> RFC 3339 with its offset, as WeChat expects.
        if (!field.value) return optional ? undefined : "";
        return `${field.value.length === 16 ? `${field.value}:00` : field.value}+08:00`;
      default:
        return optional && field.value === "" ? undefined : field.value;
    }
  }

  setFieldValue(field, value) {
    switch (field.dataset.kind) {
      case "bool":
        field.checked = value === true;
        return;
      case "tristate":
        field.value = value === true ? "true" : value === false ? "false" : "";
        return;
      case "datetime": {
        const time = typeof value === "string" ? Date.parse(value) : NaN;
        field.value = Number.isNaN(time) ? "" : new Date(time + BEIJING_OFFSET_MS).toISOString().slice(0, 16);
        return;
      }
      default:
        if (field.type === "hidden" && field.dataset.key === "type") return; // fixed by the editor
        if (field.tagName === "SELECT") {
          const wanted = value === undefined || value === null ? "" : String(value);
          if (Array.from(field.options).some((o) => o.value === wanted)) field.value = wanted;
          return;
        }
        field.value = value === undefined || value === null ? "" : String(value);
    }
  }

  fill(scope, data) {
    if (scope.dataset.scope === "list") {
      const items = this.itemsContainer(scope);
      items.replaceChildren();
      for (const entry of Array.isArray(data) ? data : []) {
        const item = scope === this.blockListScope() ? this.newBlock(entry && entry.type) : this.newItem(scope);
        if (!item) continue;
        this.fill(item, scope.dataset.items === "value" ? { value: entry } : entry);
        items.append(item);
      }
      return;
    }
    const object = data && typeof data === "object" && !Array.isArray(data) ? data : {};
    for (const field of this.fields(scope)) this.setFieldValue(field, object[field.dataset.key]);
    for (const child of this.scopes(scope)) {
      if (child.dataset.key) this.fill(child, object[child.dataset.key]);
    }
    // A switch without a key (plain reply: none / link / mini program) follows the data.
    for (const select of this.directChildren(scope, 'select[data-role="switch"]:not([data-key])')) {
      const keysIn = (c) => Array.from(c.querySelectorAll("[data-key]"))
        .filter((el) => parentScope(el) === scope).map((el) => el.dataset.key);
      const active = this.directChildren(scope, "[data-case]")
        .find((c) => keysIn(c).some((key) => object[key] !== undefined && object[key] !== ""));
      select.value = active ? active.dataset.case : select.options[0].value;
    }
    this.syncSwitches(scope);
  }

  revealFilledOptions(root) {
    // Nothing that will be sent hides in a folded section.
    for (const details of root.querySelectorAll("details[data-options]")) {
      const filled = Array.from(details.querySelectorAll("[data-key]:not([data-scope])")).some((field) => {
        if (field.type === "checkbox") return field.checked;
        if (field.tagName === "SELECT") return field.options.length > 0 && field.value !== field.options[0].value;
        return field.type !== "hidden" && field.value.trim() !== "";
      });
      if (filled) details.open = true;
    }
  }

  numberBlocks() {
    if (!this.hasBlockListTarget) return;
    this.blockListTarget.querySelectorAll(":scope > [data-block]").forEach((block, index) => {
      const number = block.querySelector("[data-block-number]");
      if (number) number.textContent = String(index + 1);
    });
  }

  syncSwitches(root) {
    const switches = root.querySelectorAll('select[data-role="switch"]');
    for (const select of switches) {
      const scope = parentScope(select);
      for (const option of this.directChildren(scope, "[data-case]")) {
        option.hidden = option.dataset.case !== select.value;
      }
    }
  }

  // --- errors beside the fields -----------------------------------------------------------------

  elementForPath(path) {
    if (path === "") return null;
    // Several scopes may share a key (see serializeScope): follow every one of them.
    let candidates = [this.rootTarget];
    for (const part of path.split(".")) {
      const next = [];
      for (const element of candidates) {
        if (element.dataset.scope === "list") {
          const entry = this.entries(element)[Number(part)];
          if (entry) next.push(entry);
        } else if (element.dataset.scope) {
          next.push(...this.fields(element).concat(this.scopes(element)).filter((el) => el.dataset.key === part));
        }
      }
      candidates = next;
      if (!candidates.length) return null;
    }
    return candidates.find((el) => this.isActive(el, this.rootTarget)) || candidates[0];
  }

  showGlobal(text) {
    this.globalErrorsTarget.textContent = text || "";
  }

  showErrors(errors, warnings) {
    for (const note of this.element.querySelectorAll(".field-error")) note.remove();
    for (const field of this.element.querySelectorAll("[aria-invalid]")) {
      field.removeAttribute("aria-invalid");
      field.removeAttribute("aria-describedby");
    }
    const unplaced = [];
    // An empty message (no blocks, or no text in a plain reply) needs no red text: the empty
    // editor already asks for content (the send dialog still refuses it).
    const noBlocks = this.hasBlockListTarget && !this.blockListTarget.querySelector("[data-block]");
    const text = this.rootTarget.querySelector('[data-key="response_content"]');
    const noText = text !== null && text.value.trim() === "";
    const untouched = ([path]) => (noBlocks && path === "blocks") || (noText && path === "response_content");
    // Each entry is [path, message, line]: the message goes beside its field, the line (which
    // names the block by position and kind) where no field can show it.
    const notes = errors.filter((error) => !untouched(error))
      .map(([path, text, line]) => [path, text, line || text, "error"])
      .concat(warnings.map(([path, text, line]) => [path, text, line || text, "warning"]));
    notes.forEach(([path, text, line, kind], index) => {
      let element = this.elementForPath(path);
      if (element && element.type === "hidden" && element.dataset.key === "type") element = null;
      if (!element || !this.isActive(element, this.rootTarget)) { unplaced.push(line); return; }
      for (let folded = element.closest("details"); folded; folded = folded.parentElement.closest("details")) {
        folded.open = true;
      }
      const note = document.createElement("p");
      note.className = `field-error ${kind}`;
      note.id = `${this.element.id || "composer"}-note-${index}`;
      note.textContent = text;
      note.dataset.path = path;
      const isField = !element.dataset.scope;
      const anchor = isField ? (element.closest("label") || element) : element;
      if (isField || element.dataset.scope === "list") anchor.after(note); else anchor.prepend(note);
      if (isField && kind === "error") {
        element.setAttribute("aria-invalid", "true");
        element.setAttribute("aria-describedby", note.id);
      }
    });
    this.showGlobal(unplaced.join(" "));
  }
}
