// What every wizard page shares: the page frame (section title, illustration, text, inline error,
// Back / Next and the links under them), the code input, the QR picture and small illustrations.

import { h, svgNode, tid } from "../dom.js";
import { button, uniqueId } from "../ui.js";
import { t } from "../i18n.js";

/**
 * One page of the wizard, as a form: Enter sends `next`.
 * @param {object} ctx the controller's page context (step, actions, error, submit, canGoBack)
 * @param {object} spec
 * @param {string} spec.section      the section's title ("Authenticator app", "Phone")
 * @param {Node}   spec.art          the illustration beside the text
 * @param {Array}  [spec.lead]      text before the page's title
 * @param {string} [spec.title]      the page's title ("Start by getting the app")
 * @param {Array}  spec.body         the page's content
 * @param {object} [spec.next]       {label, action = "next", input(): object|null} (null: invalid, stay)
 * @param {Array}  [spec.links]      link-buttons at the foot, left of Back/Next
 * @param {string} [spec.focus]      what to focus when the page appears (selector; else the title)
 */
export function pageFrame(ctx, { section, art = null, lead = [], title = null, body = [], next = null, links = [], focus = null, wide = false }) {
  const errorId = uniqueId("wizard-error");
  const error = h(
    "p",
    { id: errorId, class: "form-error wizard-error", role: "alert", hidden: !ctx.error, ...tid("wizard-error") },
    ctx.error || "",
  );
  const nextButton = next
    ? button(next.label ?? t("Next"), { variant: "primary", type: "submit", testid: "wizard-next" })
    : null;
  const backButton = ctx.canGoBack
    ? button(t("Back"), { testid: "wizard-back", onClick: (event) => ctx.submit("back", {}, event.currentTarget) })
    : null;
  const form = h(
    "form",
    { class: "wizard-form", novalidate: true, "aria-describedby": ctx.error ? errorId : null },
    section && h("h2", { class: "wizard-section-title", tabindex: "-1", ...tid("wizard-section") }, section),
    h(
      "div",
      { class: ["wizard-row", wide && "wizard-row-wide"] },
      art && h("div", { class: "wizard-art", "aria-hidden": "true" }, art),
      h(
        "div",
        { class: "wizard-content" },
        lead,
        title && h("h3", { class: "wizard-page-title", tabindex: "-1", ...tid("wizard-page-title") }, title),
        body,
      ),
    ),
    error,
    h(
      "div",
      { class: "wizard-footer" },
      h("div", { class: "wizard-links" }, links.filter(Boolean)),
      h("div", { class: "wizard-actions" }, backButton, nextButton),
    ),
  );
  const showError = (text) => {
    error.textContent = text;
    error.hidden = !text;
  };
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    if (!next) return;
    const input = next.input ? next.input(showError) : {};
    if (input === null) return;
    showError("");
    ctx.submit(next.action ?? "next", input, nextButton);
  });
  // An error from the server goes with the field it is about: mark it and put the cursor there.
  if (ctx.error) {
    for (const input of form.querySelectorAll("input[data-error-target]")) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", [input.getAttribute("aria-describedby"), errorId].filter(Boolean).join(" "));
    }
  }
  const first = [focus, ".wizard-page-title", "input, select"];
  return { node: form, focus: ctx.error ? ["input[data-error-target]", ...first] : first, showError };
}

/** A link-style button that sends an action ("I want to set up a different method"). */
export function actionLink(ctx, action, text, testid) {
  if (!ctx.actions.has(action)) return null;
  return button(text, {
    variant: "link",
    class: "btn btn-link flush",
    testid,
    onClick: (event) => ctx.submit(action, {}, event.currentTarget),
  });
}

/** The 6-digit code box; `read(showError)` gives the code or null after saying what is wrong. */
export function codeField({ label = t("Enter code"), hint = null, testid = "wizard-code" } = {}) {
  const id = uniqueId("wizard-code");
  const input = h("input", {
    id,
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    maxlength: "6",
    spellcheck: "false",
    class: "input input-code",
    "data-error-target": "",
    ...tid(`${testid}-input`),
  });
  input.addEventListener("input", () => {
    const digits = input.value.replace(/\D/g, "").slice(0, 6);
    if (digits !== input.value) input.value = digits;
    input.removeAttribute("aria-invalid");
  });
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  const node = h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { id: hintId, class: "field-hint" }, hint),
    input,
  );
  const read = (showError) => {
    const code = input.value.trim();
    if (!/^\d{6}$/.test(code)) {
      showError(t("Enter the 6-digit code."));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return null;
    }
    return code;
  };
  return { node, input, read };
}

/** The server's QR SVG, imported safely (dom.svgNode strips anything active). */
export function qrPicture(svgText, label, testid) {
  const picture = svgNode(svgText);
  if (picture) {
    picture.setAttribute("role", "img");
    picture.setAttribute("aria-label", label);
  }
  return h(
    "div",
    { class: "qr-frame wizard-qr", ...tid(testid) },
    picture ?? h("p", { class: "muted" }, t("The QR code can't be shown. Use the code instead.")),
  );
}

// --- illustrations (our own constant drawings) -------------------------------------------------

const NS = "http://www.w3.org/2000/svg";

function drawing(size, parts) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 64 64");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("focusable", "false");
  for (const [tag, attrs] of parts) {
    const el = document.createElementNS(NS, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  }
  return svg;
}

const BLUE = "#0f6cbd";
const SOFT = "#ebf3fc";

/** The authenticator app's tile: a lock on a blue square, as app icons look. */
export function appTile(size = 56) {
  return drawing(size, [
    ["rect", { x: "4", y: "4", width: "56", height: "56", rx: "14", fill: BLUE }],
    ["rect", { x: "21", y: "29", width: "22", height: "17", rx: "3", fill: "#ffffff" }],
    ["path", { d: "M25 29v-5a7 7 0 0 1 14 0v5", fill: "none", stroke: "#ffffff", "stroke-width": "3.5", "stroke-linecap": "round" }],
    ["circle", { cx: "32", cy: "37", r: "2.6", fill: BLUE }],
  ]);
}

/** A phone with a check (set up, test) or with a message bubble (codes). */
export function phoneArt(kind = "check", size = 56) {
  const screen = kind === "message"
    ? [
        ["rect", { x: "21", y: "17", width: "22", height: "13", rx: "3", fill: BLUE }],
        ["path", { d: "M25 30l-1 5 6-5", fill: BLUE }],
        ["path", { d: "M25 23.5h14", stroke: "#ffffff", "stroke-width": "2", "stroke-linecap": "round" }],
      ]
    : [["path", { d: "M25 27l5 5 9-10", fill: "none", stroke: BLUE, "stroke-width": "3.5", "stroke-linecap": "round", "stroke-linejoin": "round" }]];
  return drawing(size, [
    ["rect", { x: "15", y: "4", width: "34", height: "56", rx: "7", fill: SOFT, stroke: BLUE, "stroke-width": "3" }],
    ["rect", { x: "20", y: "12", width: "24", height: "34", rx: "2", fill: "#ffffff" }],
    ...screen,
    ["circle", { cx: "32", cy: "52", r: "2.8", fill: BLUE }],
  ]);
}

/** A key for app passwords. */
export function keyArt(size = 56) {
  return drawing(size, [
    ["circle", { cx: "32", cy: "32", r: "28", fill: SOFT }],
    ["circle", { cx: "24", cy: "28", r: "9", fill: "none", stroke: BLUE, "stroke-width": "4" }],
    ["path", { d: "M31 33l15 15m-6-6l4-4m-8 0l4-4", fill: "none", stroke: BLUE, "stroke-width": "4", "stroke-linecap": "round" }],
  ]);
}

/** A shield with a question mark for "choose a method". */
export function choiceArt(size = 56) {
  return drawing(size, [
    ["path", { d: "M32 5l22 9v15c0 14-9 25-22 30C19 54 10 43 10 29V14z", fill: SOFT, stroke: BLUE, "stroke-width": "3" }],
    ["path", { d: "M26 26a6 6 0 1 1 8 5.6c-1.4.6-2 1.6-2 3v1.4", fill: "none", stroke: BLUE, "stroke-width": "3.5", "stroke-linecap": "round" }],
    ["circle", { cx: "32", cy: "43", r: "2.4", fill: BLUE }],
  ]);
}

/** The success badge: a green circle with a check. */
export function successArt(size = 72) {
  return drawing(size, [
    ["circle", { cx: "32", cy: "32", r: "29", fill: "#107c10" }],
    ["path", { d: "M19 33l9 9 17-19", fill: "none", stroke: "#ffffff", "stroke-width": "5", "stroke-linecap": "round", "stroke-linejoin": "round" }],
  ]);
}
