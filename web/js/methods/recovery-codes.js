// "Recovery codes" at sign-in and step-up: the user types one of their single-use codes
// (XXXXX-XXXXX; the dash is optional and case does not matter). Made on the Security info page
// (../recovery-codes.js), never through "Add sign-in method", so this type is not in ADDABLE.

import { ApiError, StepUpCancelled, seg } from "../api.js";
import { h, tid } from "../dom.js";
import { busy, button, errorLine, field, uniqueId } from "../ui.js";
import { t } from "../i18n.js";

// Every string of this module, together; looked up when used, in the language shown now.
export const TEXT = {
  get label() { return t("Recovery codes"); },
  get codePrompt() { return t("Enter one of your recovery codes. Each code works once."); },
  get inputLabel() { return t("Recovery code"); },
  get hint() { return t("10 letters and digits, for example 7K2QX-M4W1B. The dash is optional."); },
  get submit() { return t("Verify"); },
  get busy() { return t("Verifying\u2026"); },
  get tooShort() { return t("Enter a recovery code: 10 letters and digits."); },
  remember: (days) => t("Don't ask again for {count} days", { count: days }),
};

// What a code may look like as typed: 10 symbols, an optional dash or space in the middle.
const SHAPE = /^[0-9a-z]{5}[-\s]?[0-9a-z]{5}$/i;

export default {
  type: "recoveryCodes",
  get label() {
    return TEXT.label;
  },
  get codePrompt() {
    return TEXT.codePrompt;
  },

  verify(options) {
    recoveryCodeStep(options);
  },
};

function recoveryCodeStep({ api, verification, testid, rememberDeviceDays = 0, show, onApproved, expired }) {
  const id = uniqueId("recovery-code");
  const input = h("input", {
    type: "text",
    autocomplete: "off",
    autocapitalize: "characters",
    spellcheck: "false",
    maxlength: "12",
    required: true,
    class: "input input-code",
    ...tid(`${testid}-input`),
  });
  const remember = rememberDeviceDays > 0 ? h("input", { type: "checkbox", id: uniqueId("remember"), ...tid(`${testid}-remember`) }) : null;
  const error = errorLine(`${testid}-error`);
  const submit = button(TEXT.submit, { variant: "primary", type: "submit", testid: `${testid}-submit` });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid(`${testid}-form`) },
    h("p", {}, TEXT.codePrompt),
    field({ label: TEXT.inputLabel, input, hint: TEXT.hint, id }),
    remember && h("div", { class: "checkbox" }, remember, h("label", { for: remember.id }, TEXT.remember(rememberDeviceDays))),
    error,
    h("div", { class: "dialog-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const code = input.value.trim();
    if (!SHAPE.test(code)) {
      error.show(TEXT.tooShort);
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.clear();
    const body = { code };
    if (remember?.checked) body.rememberDevice = true;
    try {
      const answer = await busy(submit, () => api.post(`/me/verifications/${seg(verification.verificationId)}`, body), TEXT.busy);
      onApproved(answer);
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
      if (err.status === 410) {
        expired(err);
        return;
      }
      error.show(err);
      input.setAttribute("aria-invalid", "true");
      input.select();
      if (err.status === 423) {
        submit.disabled = true;
        input.disabled = true;
      }
    }
  });
  show(form, { focus: "input" });
}
