// Shared UI pieces: modal dialogs, the status region, inline errors, the code form, buttons.

import { ApiError, StepUpCancelled } from "./api.js";
import { describeError } from "./format.js";
import { h, replace, tid } from "./dom.js";
import { t } from "./i18n.js";

let dialogCount = 0;

/**
 * A modal dialog on the native <dialog> element: the browser keeps focus inside it, Escape closes
 * it, and focus returns to what opened it. `dialog.result` resolves with the value given to
 * `close(value)` (undefined when the user dismissed it).
 */
export function openDialog({ title, testid, description = null, wide = false }) {
  const id = `dialog-${++dialogCount}`;
  const opener = document.activeElement;
  const heading = h("h2", { id: `${id}-title`, class: "dialog-title", tabindex: "-1" }, title);
  const body = h("div", { class: "dialog-body" });
  const closeButton = h(
    "button",
    { type: "button", class: "icon-button dialog-close", "aria-label": t("Close"), ...tid("dialog-close") },
    "\u00d7",
  );
  const el = h(
    "dialog",
    {
      class: ["dialog", wide && "dialog-wide"],
      "aria-labelledby": `${id}-title`,
      "aria-describedby": description ? `${id}-desc` : null,
      ...tid(testid),
    },
    h("div", { class: "dialog-header" }, heading, closeButton),
    description && h("p", { id: `${id}-desc`, class: "dialog-description" }, description),
    body,
  );

  let settle;
  const result = new Promise((resolve) => (settle = resolve));
  let value;
  const dialog = {
    el,
    body,
    result,
    setTitle(text) {
      heading.textContent = text;
    },
    /** Show one step: replace the body and move focus to `focus` (selector) or the heading. */
    show(nodes, { focus = "[autofocus], input, select, textarea" } = {}) {
      replace(body, nodes);
      const target = (focus && body.querySelector(focus)) || heading;
      target.focus();
    },
    close(result) {
      value = result;
      if (el.open) el.close();
    },
  };
  closeButton.addEventListener("click", () => dialog.close());
  el.addEventListener("close", () => {
    el.remove();
    if (opener instanceof HTMLElement && opener.isConnected) opener.focus();
    settle(value);
  });
  document.body.append(el);
  el.showModal();
  heading.focus();
  return dialog;
}

/** An inline error line for a form; `role="alert"` makes screen readers say it as it appears. */
export function errorLine(testid = "form-error") {
  const el = h("p", { class: "form-error", role: "alert", hidden: true, ...tid(testid) });
  return Object.assign(el, {
    show(errorOrText) {
      const text = typeof errorOrText === "string" ? errorOrText : describeError(errorOrText);
      el.textContent = text;
      el.hidden = !text;
    },
    clear() {
      el.textContent = "";
      el.hidden = true;
    },
  });
}

/**
 * A request from a form failed: show what the service refused (or why the step-up was cancelled)
 * in the form's error line; anything else is a bug and is thrown on.
 */
export function showRefusal(error, err) {
  if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
  error.show(err instanceof StepUpCancelled ? err.message : err);
}

/** Run `load()`; a refusal is shown as an error notice in `slot` instead, and gives null. */
export async function loadOrNotice(slot, load) {
  try {
    return await load();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    replace(slot, h("p", { class: "notice notice-error", role: "alert" }, describeError(err)));
    return null;
  }
}

/**
 * "Are you sure?": `body`, then Cancel (focused) and a danger button that runs `call`; a refusal
 * stays in the dialog. Test ids `<testid>-dialog`, `-error`, `-confirm`, `-cancel`. Resolves true
 * once `call` succeeded, undefined when the user cancelled.
 */
export function confirmDialog({ title, testid, body, confirmText, busyText, call }) {
  const dialog = openDialog({ title, testid: `${testid}-dialog` });
  const error = errorLine(`${testid}-error`);
  const confirm = button(confirmText, { variant: "danger", testid: `${testid}-confirm` });
  confirm.addEventListener("click", async () => {
    try {
      await busy(confirm, call, busyText);
      dialog.close(true);
    } catch (err) {
      showRefusal(error, err);
    }
  });
  dialog.show(
    h(
      "div",
      { class: "stack" },
      body,
      error,
      h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close(), testid: `${testid}-cancel` }), confirm),
    ),
    { focus: `[data-testid=${testid}-cancel]` },
  );
  return dialog.result;
}

/** Run `work` with `button` disabled and showing progress, so a double click sends one request. */
export async function busy(button, work, label = t("Working\u2026")) {
  const before = button.textContent;
  button.disabled = true;
  button.setAttribute("aria-busy", "true");
  button.textContent = label;
  try {
    return await work();
  } finally {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = before;
  }
}

export function button(text, { variant = "secondary", testid, onClick, type = "button", ...rest } = {}) {
  return h("button", { type, class: `btn btn-${variant}`, onclick: onClick, ...(testid ? tid(testid) : {}), ...rest }, text);
}

export function field({ label, input, hint = null, id }) {
  input.id = id;
  const hintId = hint ? `${id}-hint` : null;
  if (hintId) input.setAttribute("aria-describedby", hintId);
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    hint && h("p", { id: hintId, class: "field-hint" }, hint),
    input,
  );
}

let fieldCount = 0;
export const uniqueId = (prefix) => `${prefix}-${++fieldCount}`;

/**
 * The "enter the 6-digit code" form. `submit(code)` does the API call; an ApiError is shown
 * inline (with attempts left); a 423 disables the form. Returns {form, input, error}.
 */
export function codeForm({ label = t("Code"), hint = null, submitText = t("Verify"), testid = "code", submit, extra = null, onCancel = null, digits = 6, tooShort = null }) {
  const id = uniqueId("code");
  // `digits`: one length, or the lengths allowed (a hardware token shows 6 or 8).
  const lengths = Array.isArray(digits) ? digits : [digits];
  const longest = Math.max(...lengths);
  const input = h("input", {
    type: "text",
    inputmode: "numeric",
    autocomplete: "one-time-code",
    pattern: lengths.map((n) => `[0-9]{${n}}`).join("|"),
    maxlength: String(longest),
    required: true,
    class: "input input-code",
    spellcheck: "false",
    ...tid(`${testid}-input`),
  });
  const error = errorLine(`${testid}-error`);
  const submitButton = button(submitText, { variant: "primary", type: "submit", testid: `${testid}-submit` });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid(`${testid}-form`) },
    field({ label, input, hint, id }),
    extra,
    error,
    h("div", { class: "dialog-actions" }, onCancel && button(t("Back"), { onClick: onCancel, testid: `${testid}-back` }), submitButton),
  );
  input.addEventListener("input", () => {
    const typed = input.value.replace(/\D/g, "").slice(0, longest);
    if (typed !== input.value) input.value = typed;
  });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!lengths.includes(code.length) || !/^\d+$/.test(code)) {
      error.show(tooShort ?? t("Enter the {digits}-digit code from your authenticator app.", { digits: lengths.join(t(" or ")) }));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.clear();
    input.removeAttribute("aria-invalid");
    try {
      await busy(submitButton, () => submit(code), t("Verifying\u2026"));
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
      error.show(err);
      input.setAttribute("aria-invalid", "true");
      input.select();
      input.focus();
      if (err.status === 423) {
        submitButton.disabled = true;
        input.disabled = true;
      }
    }
  });
  return { form, input, error, submitButton };
}

/** The organization's four-square logo (decorative). */
export function brandMark() {
  return h("span", { class: "brand-mark", "aria-hidden": "true" }, h("span", {}), h("span", {}), h("span", {}), h("span", {}));
}

// --- the page-wide status region (aria-live) -------------------------------------------------

let statusTimer = null;

/**
 * Say something in the page's live region, shown as a toast. The region itself is always in the
 * page (never hidden), so screen readers notice the text that is put into it.
 */
export function announce(text, kind = "success") {
  const region = document.getElementById("status");
  if (!region) return;
  clearTimeout(statusTimer);
  region.dataset.kind = kind;
  replace(
    region,
    h(
      "div",
      { class: `toast toast-${kind}`, ...tid("status-message") },
      h("span", { class: "toast-icon", "aria-hidden": "true" }, kind === "error" ? "!" : "\u2713"),
      h("span", { class: "toast-text" }, text),
      h("button", { type: "button", class: "icon-button toast-close", "aria-label": t("Dismiss"), onclick: clearAnnouncement }, "\u00d7"),
    ),
  );
  if (kind !== "error") statusTimer = setTimeout(clearAnnouncement, 6000);
}

export function clearAnnouncement() {
  clearTimeout(statusTimer);
  document.getElementById("status")?.replaceChildren();
}
