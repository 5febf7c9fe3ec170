// Steps the add flows share: the proof that completes a registration, "Start again" when the
// registration is gone, and "Done" with the new method.

import { ApiError, seg } from "../api.js";
import { h, tid } from "../dom.js";
import { button } from "../ui.js";
import { t } from "../i18n.js";

/**
 * POST the proof (`body`) for a started registration. The new method goes to `done`; a
 * registration that is gone (410, or 404 once it was removed) goes to `expired`; any other error
 * is thrown, for the form to show inline.
 */
export async function completeRegistration(api, registrationId, body, { done, expired }) {
  try {
    const answer = await api.post(`/me/methods/registrations/${seg(registrationId)}`, body);
    done(answer.method);
  } catch (err) {
    if (err instanceof ApiError && (err.status === 410 || err.status === 404)) {
      expired(err);
      return;
    }
    throw err;
  }
}

/** "Start again": why the registration can't be completed, and a button back to the first step. */
export function expiredStep(dialog, { testid, err, note = null, restartTestid, restart }) {
  dialog.setTitle(t("Start again"));
  dialog.show(
    h(
      "div",
      { class: "stack", ...tid(testid) },
      h("p", { class: "notice notice-warning", role: "alert" }, err.message),
      note && h("p", {}, note),
      h("div", { class: "dialog-actions" }, button(t("Start again"), { variant: "primary", testid: restartTestid, onClick: restart })),
    ),
    { focus: "button" },
  );
}

/** The last step: `<prefix>-success` with what was registered, and `<prefix>-done` to finish. */
export function doneStep(dialog, { title, prefix, lead, detail, onDone, mark = h("div", { class: "success-mark", "aria-hidden": "true" }, "\u2713") }) {
  dialog.setTitle(title);
  dialog.show(
    h(
      "div",
      { class: "stack", ...tid(`${prefix}-success`) },
      mark,
      h("p", { class: "lead" }, lead),
      h("p", { class: "muted" }, detail),
      h("div", { class: "dialog-actions" }, button(t("Done"), { variant: "primary", testid: `${prefix}-done`, onClick: onDone })),
    ),
    { focus: "button" },
  );
}
