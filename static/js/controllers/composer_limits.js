// Field lengths from the server's JSON Schema (messaging.schema, with the limits in force): each
// text field of the composer gets the maxLength its place in the message has, so the browser
// stops typing at the limit and the paste warning and counter know it. The server stays the
// validator of record (it counts UTF-8 bytes, checks formats and dates); this only reads lengths.
import { parentScope } from "./composer_form.js";

const TEXT_FIELDS = ["input:not([type])", "input[type=text]", "input[type=url]", "textarea"]
  .map((field) => `${field}[data-key]:not([data-limited])`).join(", ");

// A schema node with its $ref followed and an optional value's "null" branch dropped.
function resolve(schema, node) {
  for (let depth = 0; node && depth < 8; depth += 1) {
    if (node.$ref) {
      node = schema.$defs ? schema.$defs[node.$ref.split("/").pop()] : null;
    } else if (Array.isArray(node.anyOf)) {
      node = node.anyOf.find((branch) => branch.type !== "null") || null;
    } else {
      return node;
    }
  }
  return node || null;
}

// The keys from the editor's root down to a field; "[]" steps into a list's entries.
function pathOf(field, root) {
  const chain = [];
  for (let element = field; element && element !== root; element = parentScope(element)) chain.unshift(element);
  const steps = [];
  for (const element of chain) {
    const list = parentScope(element);
    if (element.dataset.scope && !element.dataset.key && list && list.dataset.scope === "list") steps.push("[]");
    if (element.dataset.key) steps.push(element.dataset.key);
  }
  return steps;
}

function nodeAt(schema, steps) {
  let node = resolve(schema, schema);
  for (const step of steps) {
    if (!node) return null;
    node = resolve(schema, step === "[]" ? node.items : (node.properties || {})[step]);
  }
  return node;
}

// Give every text field under `root` not yet limited the schema's maxLength (once per field);
// data-console-limit marks a limit the console sets where WeChat Pay publishes none.
export function limitFields(schema, root) {
  if (!schema || !schema.properties) return;
  for (const field of root.querySelectorAll(TEXT_FIELDS)) {
    const node = nodeAt(schema, pathOf(field, root));
    if (node && Number.isInteger(node.maxLength) && node.maxLength > 0) {
      field.maxLength = node.maxLength;
      if (node["x-consoleLimit"]) field.dataset.consoleLimit = "";
    }
    field.dataset.limited = "";
  }
}
