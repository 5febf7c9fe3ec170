// "Authenticator app" (push with number matching, and codes from the same app).
// Add: download -> set up -> scan the QR (or "Can't scan": code + URL) -> test notification (the
// page shows the number, the user types it on the phone) -> done.
// Sign-in: show the number, wait for the phone's approval (GET polling), then collect it.

import { ApiError, seg } from "../api.js";
import { h, svgNode, tid } from "../dom.js";
import { describeError } from "../format.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { doneStep } from "./steps.js";
import { t } from "../i18n.js";

const POLL_MS = 1500;
// What became of the last test notification, when a new one replaced it.
const PREVIOUS = {
  numberMismatch: () => t("The number entered in the app didn't match, so that notification was denied. We sent a new one with a new number."),
  denied: () => t("The notification was denied in your app. We sent a new one with a new number."),
  expired: () => t("The notification wasn't answered in time. We sent a new one with a new number."),
};
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

export default {
  type: "authenticatorApp",
  get label() {
    return t("Authenticator app");
  },
  get summary() {
    return t("Approve sign-ins with a notification on your phone, or use the codes the app shows.");
  },
  icon: "app",
  get codePrompt() {
    return t("Enter the 6-digit code shown in your Authenticator app.");
  },

  add({ api, dialog, back }) {
    return new Promise((resolve) => new AddFlow(api, dialog, back, resolve).download());
  },

  /** The sign-in step for a push verification (see verify.js). */
  verify(options) {
    pushVerification(options);
  },
};

class AddFlow {
  constructor(api, dialog, back, resolve) {
    Object.assign(this, { api, dialog, back, resolve, displayName: "", setup: null });
  }

  download() {
    this.dialog.setTitle(t("Start by getting the app"));
    this.dialog.show(
      h(
        "div",
        { class: "stack", ...tid("app-download") },
        h("p", {}, t("On your phone, install the Authenticator app. Here you can use the simulated phone: it opens in a new tab.")),
        h("p", {}, h("a", { href: "phone.html", target: "_blank", rel: "noopener", ...tid("app-open-phone") }, t("Open the simulated phone"))),
        h("p", { class: "muted small" }, t("After you install the app on your device, choose Next.")),
        h(
          "div",
          { class: "dialog-actions" },
          button(t("Back"), { onClick: () => this.back(), testid: "app-back" }),
          button(t("Next"), { variant: "primary", testid: "app-download-next", onClick: () => this.account() }),
        ),
      ),
      { focus: "[data-testid=app-download-next]" },
    );
  }

  account() {
    this.dialog.setTitle(t("Set up your account"));
    const name = h("input", { type: "text", class: "input", maxlength: "64", autocomplete: "off", placeholder: t("Authenticator app"), value: this.displayName, ...tid("app-name-input") });
    const error = errorLine("app-start-error");
    const next = button(t("Next"), { variant: "primary", type: "submit", testid: "app-account-next" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("p", {}, t("If prompted, allow notifications. Then add an account, and select \u201cWork or school\u201d.")),
      field({ label: t("Name for this method (optional)"), input: name, id: uniqueId("app-name"), hint: t("For example \u201cWork phone\u201d.") }),
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.download() }), next),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      this.displayName = name.value.trim();
      const body = { type: "authenticatorApp" };
      if (this.displayName) body.displayName = this.displayName;
      try {
        this.setup = await busy(next, () => this.api.post("/me/methods", body, { idempotent: true }), t("Starting\u2026"));
        this.qr();
      } catch (err) {
        showRefusal(error, err);
      }
    });
    this.dialog.show(form);
  }

  qr() {
    const { setup } = this;
    this.dialog.setTitle(t("Scan the QR code"));
    const picture = svgNode(setup.qrSvg);
    picture?.setAttribute("role", "img");
    picture?.setAttribute("aria-label", t("QR code to connect the Authenticator app with your account"));
    const panelId = uniqueId("app-cant-scan");
    const panel = h(
      "div",
      { id: panelId, class: "manual-setup", hidden: true, ...tid("app-cant-scan-panel") },
      h("p", {}, t("Enter the following into your app:")),
      h(
        "dl",
        { class: "details" },
        h("dt", {}, t("Code")),
        h("dd", {}, h("code", { class: "secret", ...tid("app-activation-code") }, setup.activationCode)),
        h("dt", {}, t("URL")),
        h("dd", {}, h("code", { class: "secret", ...tid("app-activation-url") }, setup.activationUrl)),
      ),
    );
    const toggle = button(t("Can't scan image?"), { variant: "link", testid: "app-cant-scan", "aria-expanded": "false", "aria-controls": panelId });
    toggle.addEventListener("click", () => {
      panel.hidden = !panel.hidden;
      toggle.setAttribute("aria-expanded", String(!panel.hidden));
    });
    this.dialog.show(
      h(
        "div",
        { class: "stack" },
        h("p", {}, t("Use the Authenticator app to scan the QR code. This will connect the app with your account.")),
        h("div", { class: "qr-frame", ...tid("app-qr"), "data-qr-content": setup.qrContent ?? "" }, picture ?? h("p", { class: "muted" }, t("Use the code below."))),
        h("div", {}, toggle),
        panel,
        h("p", { class: "muted small" }, t("After you scan the QR code, choose Next.")),
        h(
          "div",
          { class: "dialog-actions" },
          button(t("Back"), { onClick: () => this.account() }),
          button(t("Next"), { variant: "primary", testid: "app-qr-next", onClick: () => this.test() }),
        ),
      ),
      { focus: "[data-testid=app-qr-next]" },
    );
  }

  async test() {
    this.dialog.setTitle(t("Let's try it out"));
    const path = `/me/methods/registrations/${seg(this.setup.registrationId)}`;
    const status = h("p", { class: "muted", role: "status", ...tid("app-test-status") }, t("Sending a notification to your app\u2026"));
    const number = h("div", { class: "number-match", ...tid("app-test-number") });
    const outcome = h("p", { class: "notice notice-warning", role: "alert", hidden: true, ...tid("app-test-outcome") });
    const error = errorLine("app-test-error");
    const box = h(
      "div",
      { class: "stack", ...tid("app-test") },
      h("p", {}, t("Approve the notification we're sending to your app by entering the number shown below.")),
      outcome,
      number,
      status,
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.qr(), testid: "app-test-back" })),
    );
    this.dialog.show(box, { focus: "button" });
    while (document.body.contains(box)) {
      let answer;
      try {
        answer = await this.api.post(path, {});
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        error.show(err);
        if (err.status === 404 || err.status === 410) {
          status.textContent = t("Start again from \u201cAdd sign-in method\u201d.");
          return;
        }
        await sleep(POLL_MS);
        continue;
      }
      if (answer?.method) {
        this.done(answer.method);
        return;
      }
      if (answer?.waitingFor === "activation") {
        number.textContent = "";
        status.textContent = t("Your app isn't set up yet. Go back and scan the QR code (or enter the code) in the app.");
      } else if (answer?.numberToMatch) {
        error.clear();
        const renewed = number.textContent && number.textContent !== answer.numberToMatch;
        number.textContent = answer.numberToMatch;
        number.setAttribute("aria-label", t("Number to enter in your app: {number}", { number: answer.numberToMatch }));
        // What happened to the last notification stays said until the new one is answered: the
        // number changing under the user's eyes must never be the only sign.
        const why = PREVIOUS[answer.previous]?.();
        if (why) {
          outcome.textContent = why;
          outcome.hidden = false;
        } else if (!renewed && outcome.hidden) {
          status.textContent = t("Waiting for you to approve the notification in your app\u2026");
        }
        if (why || renewed) status.textContent = t("Enter the number shown above in your app.");
      }
      await sleep(POLL_MS);
    }
  }

  done(method) {
    doneStep(this.dialog, {
      title: t("Authenticator app"),
      prefix: "app",
      lead: t("Notification approved."),
      detail: t("\u201c{name}\u201d can now be used to sign in.", { name: method.displayName }),
      onDone: () => this.resolve(method),
    });
  }
}

/** Show the number, wait for the phone, then collect the approval (POST {}). */
function pushVerification({ api, verification, show, testid, onApproved, expired, useCode, rememberDeviceDays = 0 }) {
  const path = `/me/verifications/${seg(verification.verificationId)}`;
  const number = verification.challenge?.numberToMatch ?? "";
  const status = h("p", { class: "muted", role: "status", ...tid(`${testid}-push-status`) }, t("Waiting for you to approve the request in your app\u2026"));
  const error = errorLine(`${testid}-push-error`);
  const remember = rememberDeviceDays > 0 ? h("input", { type: "checkbox", id: uniqueId("remember"), ...tid(`${testid}-remember`) }) : null;
  let stopped = false;
  const box = h(
    "div",
    { class: "stack", ...tid(`${testid}-push`) },
    h("p", {}, t("Open your Authenticator app, and enter the number shown to sign in.")),
    h("div", { class: "number-match", ...tid(`${testid}-number`), "aria-label": t("Number to enter in your app: {number}", { number }) }, number),
    status,
    remember && h("div", { class: "checkbox" }, remember, h("label", { for: remember.id }, t("Don't ask again for {count} days", { count: rememberDeviceDays }))),
    error,
    h(
      "div",
      { class: "dialog-actions" },
      button(t("I can't use my Authenticator app right now"), {
        variant: "link",
        testid: `${testid}-use-code`,
        onClick: () => {
          stopped = true;
          useCode();
        },
      }),
    ),
  );
  show(box, { focus: "button" });
  (async () => {
    while (!stopped && document.body.contains(box)) {
      await sleep(POLL_MS);
      if (stopped || !document.body.contains(box)) return;
      try {
        const now = await api.get(path);
        if (now.status === "pending") continue;
        if (now.status !== "approved") {
          expired(new ApiError(410, { message: now.status === "denied" ? t("The request was denied in your app. Start again.") : t("The request timed out. Start again.") }));
          return;
        }
        const body = remember?.checked ? { rememberDevice: true } : {};
        const answer = await api.post(path, body);
        if (answer?.status === "approved") {
          onApproved(answer);
          return;
        }
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.status === 410) {
          expired(err);
          return;
        }
        error.show(describeError(err));
        if (err.status === 423) return;
      }
    }
  })();
}
