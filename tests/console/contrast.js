() => {
  // WCAG 2.x relative luminance and contrast ratio, on colours composited as the page paints them.
  const parse = (text) => {
    const m = text.match(/rgba?\(([^)]+)\)/);
    if (!m) return null;
    const [r, g, b, a = 1] = m[1].split(/[\s,\/]+/).filter(Boolean).map(Number);
    return { r, g, b, a };
  };
  const over = (top, bottom) => ({
    r: top.r * top.a + bottom.r * (1 - top.a),
    g: top.g * top.a + bottom.g * (1 - top.a),
    b: top.b * top.a + bottom.b * (1 - top.a),
    a: 1,
  });
  const luminance = ({ r, g, b }) => {
    const f = (v) => ((v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4);
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  const ratio = (x, y) => {
    const [hi, lo] = [luminance(x), luminance(y)].sort((p, q) => q - p);
    return (hi + 0.05) / (lo + 0.05);
  };
  const hex = ({ r, g, b }) => "#" + [r, g, b].map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
  // The colour behind an element: its own background and its ancestors', composited on white.
  const backdrop = (el) => {
    const layers = [];
    for (let e = el; e; e = e.parentElement) {
      const colour = parse(getComputedStyle(e).backgroundColor);
      if (colour && colour.a > 0) {
        layers.push(colour);
        if (colour.a >= 1) break;
      }
    }
    return layers.reverse().reduce((below, layer) => over(layer, below), { r: 255, g: 255, b: 255, a: 1 });
  };
  const opacity = (el) => {
    let value = 1;
    for (let e = el; e; e = e.parentElement) value *= Number(getComputedStyle(e).opacity);
    return value;
  };
  const shown = (el) => {
    const box = el.getBoundingClientRect();
    const style = getComputedStyle(el);
    return box.width > 1 && box.height > 1 && style.visibility !== "hidden" && !el.closest("[hidden], .visually-hidden, [aria-hidden=true]");
  };
  // WCAG exempts inactive controls and pictures of text.
  const exempt = (el) => el.closest(":disabled, [aria-disabled=true], svg, img, [inert]");
  const describe = (el) => el.tagName.toLowerCase() + (el.className && typeof el.className === "string" ? "." + el.className.trim().split(/\s+/).join(".") : "");
  const problems = new Set();
  const check = (el, text, colour, needed) => {
    const behind = backdrop(el);
    const painted = over({ ...colour, a: colour.a * opacity(el) }, behind);
    const value = ratio(painted, behind);
    if (value < needed) {
      problems.add(`${value.toFixed(2)} < ${needed} | ${hex(painted)} on ${hex(behind)} | ${describe(el)} | ${text.slice(0, 40)}`);
    }
  };
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    const text = node.textContent.trim();
    if (!text || !el || el.closest("script, style, template, noscript") || !shown(el) || exempt(el)) continue;
    const style = getComputedStyle(el);
    const size = parseFloat(style.fontSize);
    const large = size >= 24 || (size >= 18.66 && Number(style.fontWeight) >= 700);
    check(el, text, parse(style.color), large ? 3 : 4.5);
  }
  // Typed text, and the edge that shows where to type (non-text contrast, 3:1).
  for (const field of document.querySelectorAll("input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=submit]):not([type=file]), select, textarea")) {
    if (!shown(field) || exempt(field)) continue;
    const style = getComputedStyle(field);
    if (field.value) check(field, field.value, parse(style.color), 4.5);
    const edge = parse(style.borderBottomColor);
    if (parseFloat(style.borderBottomWidth) > 0 && edge && edge.a > 0) {
      const behind = backdrop(field.parentElement);
      const value = ratio(over(edge, behind), behind);
      if (value < 3) problems.add(`${value.toFixed(2)} < 3 | border ${hex(over(edge, behind))} on ${hex(behind)} | ${describe(field)}[name=${field.name}]`);
    }
  }
  return [...problems];
}
