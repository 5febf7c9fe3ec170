// Small DOM helpers. Text always goes in through textContent, never innerHTML, so nothing a user
// or the server typed can become markup.

/**
 * Build an element: h("button", {class: "link", onclick: fn, dataset: {testid: "x"}}, "Text", child)
 * Attributes named on* become listeners; `dataset` and `aria` objects expand; false/null are skipped.
 */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2).toLowerCase(), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else if (name === "class") {
      el.className = Array.isArray(value) ? value.filter(Boolean).join(" ") : value;
    } else if (name === "text") {
      el.textContent = value;
    } else if (name in el && typeof value !== "string") {
      el[name] = value;
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

export function append(parent, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    parent.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return parent;
}

/** Replace all children of `el`. */
export function replace(el, ...children) {
  el.replaceChildren();
  return append(el, children);
}

/** A `data-testid` attribute object, to keep call sites short. */
export const tid = (id) => ({ "data-testid": id });

/**
 * Parse server-generated SVG and import it as a node. DOMParser in image/svg+xml mode never runs
 * scripts; we still drop anything that is not plain drawing (scripts, foreignObject, handlers, links).
 */
export function svgNode(svgText) {
  const doc = new DOMParser().parseFromString(String(svgText ?? ""), "image/svg+xml");
  const root = doc.documentElement;
  if (!root || root.localName !== "svg" || doc.getElementsByTagName("parsererror").length) {
    return null;
  }
  for (const bad of root.querySelectorAll("script, foreignObject, a, iframe, use")) bad.remove();
  for (const el of [root, ...root.querySelectorAll("*")]) {
    for (const attr of [...el.attributes]) {
      const value = attr.value.trim().toLowerCase();
      if (attr.name.toLowerCase().startsWith("on") || value.startsWith("javascript:") || attr.name.endsWith("href")) {
        el.removeAttribute(attr.name);
      }
    }
  }
  // Scale with CSS: give the drawing a viewBox from its intrinsic size when it has none.
  const width = parseFloat(root.getAttribute("width"));
  const height = parseFloat(root.getAttribute("height"));
  if (!root.hasAttribute("viewBox") && width > 0 && height > 0) {
    root.setAttribute("viewBox", `0 0 ${width} ${height}`);
  }
  return document.importNode(root, true);
}

/**
 * Redraw `root` with `draw()` and keep the keyboard focus where it was: on the control with the
 * same test id (and aria-label) in the same row, or, when that control is gone (its row was
 * deleted), on `fallback` (a selector). Without this a redraw after a dialog drops the focus to the
 * top of the page.
 */
export function redrawKeepingFocus(root, draw, fallback = null) {
  const active = document.activeElement;
  const inside = active instanceof HTMLElement && root.contains(active) && active !== root;
  const testid = inside ? active.closest("[data-testid]")?.getAttribute("data-testid") : null;
  const label = inside ? active.getAttribute("aria-label") : null;
  const rowId = inside ? active.closest("[data-method-id]")?.getAttribute("data-method-id") : null;
  draw();
  if (!inside) return;
  const candidates = testid ? [...root.querySelectorAll(`[data-testid="${CSS.escape(testid)}"]`)] : [];
  const again = candidates.find(
    (el) =>
      (label === null || el.getAttribute("aria-label") === label) &&
      (rowId === null || el.closest("[data-method-id]")?.getAttribute("data-method-id") === rowId),
  );
  const target = again ?? (fallback ? root.querySelector(fallback) : null);
  if (target instanceof HTMLElement) target.focus();
}
