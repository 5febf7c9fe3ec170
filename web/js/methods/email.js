// "Email": an 8-digit code by email, for password reset only (never for sign-in).
// Flow: address -> POST /me/methods -> the code from the email -> the new method.

import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { codeVerification, registrationCodeStep } from "./sent-code.js";
import { doneStep, expiredStep } from "./steps.js";
import { t } from "../i18n.js";

export default {
  type: "email",
  get label() {
    return t("Email");
  },
  get summary() {
    return t("Get a code by email to reset your password. Email can't be used to sign in.");
  },
  icon: "mail",
  get codePrompt() {
    return t("Enter the 8-digit code from the email.");
  },

  add({ api, dialog, back }) {
    return new Promise((resolve) => new AddFlow(api, dialog, back, resolve).entry());
  },

  verify(options) {
    codeVerification({ ...options, rememberDeviceDays: 0, digits: 8 });
  },
};

class AddFlow {
  constructor(api, dialog, back, resolve) {
    this.api = api;
    this.dialog = dialog;
    this.back = back;
    this.resolve = resolve;
    this.address = "";
  }

  entry() {
    this.dialog.setTitle(t("Email"));
    const input = h("input", {
      type: "email",
      class: "input",
      autocomplete: "email",
      maxlength: "254",
      spellcheck: "false",
      value: this.address,
      ...tid("email-input"),
    });
    const error = errorLine("email-start-error");
    const next = button(t("Next"), { variant: "primary", type: "submit", testid: "email-start" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("p", {}, t("Use an address outside your organization, so you can still reset your password when you can't sign in.")),
      field({ label: t("Email address"), input, id: uniqueId("email"), hint: t("We'll send an 8-digit code to this address.") }),
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.back(), testid: "email-back" }), next),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      this.address = input.value.trim();
      if (!this.address) {
        error.show(t("Enter your email address."));
        input.focus();
        return;
      }
      try {
        const begun = await busy(
          next,
          () => this.api.post("/me/methods", { type: "email", emailAddress: this.address }, { idempotent: true }),
          t("Sending\u2026"),
        );
        this.code(begun);
      } catch (err) {
        showRefusal(error, err);
      }
    });
    this.dialog.show(form);
  }

  code(begun) {
    registrationCodeStep({
      api: this.api,
      dialog: this.dialog,
      begun,
      channel: "email",
      digits: 8,
      testid: "email-code",
      onCancel: () => this.entry(),
      done: (method) => this.done(method),
      expired: (err) => expiredStep(this.dialog, { testid: "email-expired", err, restart: () => this.entry() }),
    });
  }

  done(method) {
    doneStep(this.dialog, {
      title: t("Email"),
      prefix: "email",
      lead: t("Your email address was registered."),
      detail: t("{address} can now be used to reset your password.", { address: method.emailAddress }),
      onDone: () => this.resolve(method),
    });
  }
}
