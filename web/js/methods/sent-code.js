// The steps phones and email share: "We texted / are calling / emailed ..." with the masked number
// or address, the code form (6 digits, email 8), and "Send a new code" — allowed 30 s after the last
// send (a countdown until then), refused with 429 + retryAfter when too many codes went out.

import { ApiError, seg } from "../api.js";
import { h, tid } from "../dom.js";
import { describeError } from "../format.js";
import { button, codeForm, uniqueId } from "../ui.js";
import { completeRegistration } from "./steps.js";
import { t } from "../i18n.js";

const COOLDOWN_SECONDS = 30;

/** What the user is told about where the code went. */
export function sentLine(channel, sentTo) {
  if (channel === "voice") return t("We're calling {to} now. Answer the call and listen for your code.", { to: sentTo });
  if (channel === "email") return t("We emailed a code to {to}. Check your inbox (and spam folder).", { to: sentTo });
  return t("We texted a code to {to}.", { to: sentTo });
}

/**
 * The code step. `submit(code)` completes it (throws ApiError to show an inline error);
 * `resendPath` is the route that sends a new code. Returns the nodes to show.
 */
export function sentCodeStep({ api, channel, sentTo, digits = 6, resendPath, testid, submit, onCancel = null, extra = null, submitText = t("Verify") }) {
  const lead = h("p", { ...tid(`${testid}-sent-to`) }, sentLine(channel, sentTo));
  const status = h("p", { class: "muted small", "aria-live": "polite", ...tid(`${testid}-resend-status`) });
  const resend = button(t("Send a new code"), { variant: "link", testid: `${testid}-resend` });
  let waitUntil = Date.now() + COOLDOWN_SECONDS * 1000;
  let timer = null;

  let shown = false;
  const tick = () => {
    if (resend.isConnected) shown = true;
    else if (shown && timer) {
      // The step was replaced (next step, dialog closed): stop counting.
      clearInterval(timer);
      timer = null;
      return;
    }
    const left = Math.ceil((waitUntil - Date.now()) / 1000);
    if (left > 0) {
      resend.disabled = true;
      resend.textContent = left > 90 ? t("Send a new code (in {count} min)", { count: Math.ceil(left / 60) }) : t("Send a new code (in {count} s)", { count: left });
    } else {
      resend.disabled = false;
      resend.textContent = t("Send a new code");
      if (timer) {
        clearInterval(timer);
        timer = null;
      }
    }
  };
  const wait = (seconds) => {
    waitUntil = Date.now() + seconds * 1000;
    if (!timer) timer = setInterval(tick, 1000);
    tick();
  };

  resend.addEventListener("click", async () => {
    resend.disabled = true;
    try {
      const answer = await api.post(resendPath, {}, { idempotent: true });
      status.textContent = t("A new code is on its way to {to}. Only the newest code works.", { to: answer.sentTo });
      wait(COOLDOWN_SECONDS);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      status.textContent = describeError(err);
      if (err.status === 429 && err.retryAfter) wait(err.retryAfter);
      else resend.disabled = false;
    }
  });

  const hint = digits === 8 ? t("Enter the 8-digit code from the email.") : t("Enter the 6-digit code.");
  const { form } = codeForm({
    label: t("Code"),
    hint,
    digits,
    tooShort: t("Enter the {digits}-digit code we sent you.", { digits }),
    submitText,
    testid,
    onCancel,
    extra: [extra, h("div", { class: "resend-row" }, resend, status)],
    submit,
  });
  wait(COOLDOWN_SECONDS);
  return h("div", { class: "stack" }, lead, form);
}

/**
 * The code step of a registration (phone, email): Back goes to `onCancel`; the code completes the
 * registration, and the new method goes to `done` (a registration that is gone: `expired`).
 */
export function registrationCodeStep({ api, dialog, begun, channel, digits, testid, onCancel, done, expired }) {
  dialog.setTitle(t("Enter code"));
  dialog.show(
    sentCodeStep({
      api,
      channel,
      sentTo: begun.sentTo,
      digits,
      testid,
      submitText: t("Next"),
      resendPath: `/me/methods/registrations/${seg(begun.registrationId)}/resend`,
      onCancel,
      submit: (code) => completeRegistration(api, begun.registrationId, { code }, { done, expired }),
    }),
    { focus: "input" },
  );
}

/** The sign-in / reset step of phones and email: the code form for a started verification. */
export function codeVerification({ api, verification, testid, rememberDeviceDays = 0, show, onApproved, expired, digits }) {
  const remember = rememberDeviceDays > 0 ? h("input", { type: "checkbox", ...tid(`${testid}-remember`) }) : null;
  const rememberId = uniqueId("remember");
  if (remember) remember.id = rememberId;
  const { sentTo, channel } = verification.challenge ?? {};
  show(
    sentCodeStep({
      api,
      channel,
      sentTo,
      digits,
      testid,
      resendPath: `/me/verifications/${seg(verification.verificationId)}/resend`,
      extra: remember && h("div", { class: "checkbox" }, remember, h("label", { for: rememberId }, t("Don't ask again for {count} days", { count: rememberDeviceDays }))),
      submit: async (code) => {
        const body = { code };
        if (remember?.checked) body.rememberDevice = true;
        try {
          onApproved(await api.post(`/me/verifications/${seg(verification.verificationId)}`, body));
        } catch (err) {
          if (err instanceof ApiError && err.status === 410) {
            expired(err);
            return;
          }
          throw err;
        }
      },
    }),
    { focus: "input" },
  );
}
