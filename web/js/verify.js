// Verifications: the "Verify your identity" step-up dialog and the sign-in (mfa) demo share one
// flow: start (POST /me/verifications), ask for the code, complete (POST /me/verifications/{id}).

import { ApiError, StepUpCancelled, seg } from "./api.js";
import { h, tid } from "./dom.js";
import { describeError, methodName, typeLabel } from "./format.js";
import { t } from "./i18n.js";
import { methodIcon } from "./icons.js";
import { codeDigitsFor, codePromptFor, verifierFor } from "./methods/index.js";
import { button, codeForm, errorLine, field, openDialog, uniqueId } from "./ui.js";

const mfaCapable = (methods) => (methods ?? []).filter((m) => (m.usableFor ?? []).includes("mfa"));
// Password reset has its own methods (email, security questions); step-up and sign-in use MFA ones.
// Recovery codes are a fallback: offered, but after every other method.
const usableFor = (methods, purpose) =>
  (methods ?? [])
    .filter((m) => (m.usableFor ?? []).includes(purpose === "sspr" ? "sspr" : "mfa"))
    .sort((a, b) => (a.type === "recoveryCodes") - (b.type === "recoveryCodes"));

/**
 * Run a verification inside a container. `show(nodes, options)` renders a step (a dialog's show,
 * or a panel's). Calls `onApproved(answer)` with the 200 body once the code is accepted.
 */
export function runVerification({ api, purpose, methods, show, testid, onApproved, rememberDeviceDays = 0, intro = null }) {
  const usable = usableFor(methods, purpose);
  const preferred = usable.find((m) => m.isDefault) ?? usable[0] ?? null;
  let chosen = preferred;

  const methodPicker = () => {
    if (usable.length < 2) return null;
    const select = h(
      "select",
      { class: "input", ...tid(`${testid}-method`) },
      usable.map((m) =>
        h("option", { value: m.id, selected: chosen && m.id === chosen.id }, methodName(m)),
      ),
    );
    select.addEventListener("change", () => {
      chosen = usable.find((m) => m.id === select.value) ?? chosen;
      start();
    });
    return field({ label: t("Verify with"), input: select, id: uniqueId("verify-method") });
  };

  const start = async () => {
    const error = errorLine(`${testid}-start-error`);
    show(h("div", { class: "stack" }, intro, h("p", { class: "muted" }, t("Preparing your verification\u2026")), error));
    let verification;
    try {
      const body = { purpose };
      if (chosen && (chosen !== preferred || !chosen.isDefault)) body.methodId = chosen.id;
      verification = await api.post("/me/verifications", body, { idempotent: true });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const retry = button(t("Try again"), { variant: "primary", testid: `${testid}-retry`, onClick: start });
      show(h("div", { class: "stack" }, intro, methodPicker(), error, h("div", { class: "dialog-actions" }, retry)), {
        focus: "select, button",
      });
      error.show(err);
      return;
    }
    ask(verification);
  };

  const ask = (verification, { useCode = false } = {}) => {
    const method = usable.find((m) => m.id === verification.methodId);
    const custom = useCode ? null : verifierFor(verification.type);
    if (custom) {
      // Push or security key: the type's own step; a push can fall back to a code from the same app.
      custom({
        api,
        verification,
        testid,
        rememberDeviceDays: purpose === "mfa" ? rememberDeviceDays : 0,
        show: (nodes, options) => show(h("div", { class: "stack" }, intro, methodPicker(), nodes), options),
        onApproved: (answer) => onApproved(answer, verification),
        expired,
        useCode: () => ask(verification, { useCode: true }),
      });
      return;
    }
    const remember = rememberDeviceDays > 0 && purpose === "mfa"
      ? h("input", { type: "checkbox", ...tid(`${testid}-remember`) })
      : null;
    const rememberId = uniqueId("remember");
    if (remember) remember.id = rememberId;
    const { form } = codeForm({
      label: t("Code"),
      hint: codePromptFor(verification.type),
      digits: codeDigitsFor(verification.type),
      submitText: t("Verify"),
      testid,
      extra: [
        remember &&
          h("div", { class: "checkbox" }, remember, h("label", { for: rememberId }, t("Don't ask again for {count} days", { count: rememberDeviceDays }))),
      ],
      submit: async (code) => {
        const body = { code };
        if (remember?.checked) body.rememberDevice = true;
        try {
          const answer = await api.post(`/me/verifications/${seg(verification.verificationId)}`, body);
          onApproved(answer, verification);
        } catch (err) {
          if (err instanceof ApiError && err.status === 410) {
            expired(err);
            return;
          }
          throw err;
        }
      },
    });
    show(
      h(
        "div",
        { class: "stack" },
        intro,
        methodPicker(),
        method &&
          h(
            "div",
            { class: "method-chip", ...tid(`${testid}-using`) },
            h("span", { class: "method-icon method-icon-small" }, methodIcon(method.type, { size: 18 })),
            h("span", {}, h("strong", {}, typeLabel(method.type)), " \u00b7 ", method.displayName),
          ),
        form,
      ),
      { focus: "input" },
    );
  };

  const expired = (err) => {
    const again = button(t("Start again"), { variant: "primary", testid: `${testid}-restart`, onClick: start });
    show(
      h(
        "div",
        { class: "stack", ...tid(`${testid}-expired`) },
        intro,
        h("p", { class: "notice notice-warning", role: "alert" }, describeError(err) || t("This request expired. Start again.")),
        h("div", { class: "dialog-actions" }, again),
      ),
      { focus: "button" },
    );
  };

  start();
}

/**
 * The step-up hook for Api: show "Verify your identity", resolve with the step-up token, or reject
 * with StepUpCancelled when the user closes the dialog.
 */
export async function stepUpDialog(api, loadMethods) {
  const methods = await loadMethods();
  const dialog = openDialog({ title: t("Verify your identity"), testid: "step-up-dialog" });
  if (mfaCapable(methods).length === 0) {
    dialog.show(h("p", { role: "alert" }, t("You need a sign-in method to verify your identity. Add one first.")));
  } else {
    runVerification({
      api,
      purpose: "stepUp",
      methods,
      testid: "step-up",
      show: (nodes, options) => dialog.show(nodes, options),
      intro: h(
        "p",
        {},
        t("To keep your account secure, confirm it's you before changing your security info. You won't be asked again for a few minutes."),
      ),
      onApproved: (answer) => dialog.close({ token: answer.stepUpToken, expiresAt: answer.stepUpExpiresAt }),
    });
  }
  const result = await dialog.result;
  if (!result?.token) throw new StepUpCancelled();
  return result;
}
