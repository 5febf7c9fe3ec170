// "Email": an 8-digit code by email, for password reset only (never for sign-in).
// Flow: address -> POST /me/methods -> the code from the email -> the new method.

import { ApiError, StepUpCancelled, seg } from "../api.js";
import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, uniqueId } from "../ui.js";
import { codeVerification } from "./phone.js";
import { sentCodeStep } from "./sent-code.js";

export default {
  type: "email",
  label: "Email",
  summary: "Get a code by email to reset your password. Email can't be used to sign in.",
  icon: "mail",
  codePrompt: "Enter the 8-digit code from the email.",

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
    this.dialog.setTitle("Email");
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
    const next = button("Next", { variant: "primary", type: "submit", testid: "email-start" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("p", {}, "Use an address outside your organization, so you can still reset your password when you can't sign in."),
      field({ label: "Email address", input, id: uniqueId("email"), hint: "We'll send an 8-digit code to this address." }),
      error,
      h("div", { class: "dialog-actions" }, button("Back", { onClick: () => this.back(), testid: "email-back" }), next),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      this.address = input.value.trim();
      if (!this.address) {
        error.show("Enter your email address.");
        input.focus();
        return;
      }
      try {
        const begun = await busy(
          next,
          () => this.api.post("/me/methods", { type: "email", emailAddress: this.address }, { idempotent: true }),
          "Sending\u2026",
        );
        this.code(begun);
      } catch (err) {
        if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
        error.show(err instanceof StepUpCancelled ? err.message : err);
      }
    });
    this.dialog.show(form);
  }

  code(begun) {
    this.dialog.setTitle("Enter code");
    this.dialog.show(
      sentCodeStep({
        api: this.api,
        channel: "email",
        sentTo: begun.sentTo,
        digits: 8,
        testid: "email-code",
        submitText: "Next",
        resendPath: `/me/methods/registrations/${seg(begun.registrationId)}/resend`,
        onCancel: () => this.entry(),
        submit: async (code) => {
          try {
            const answer = await this.api.post(`/me/methods/registrations/${seg(begun.registrationId)}`, { code });
            this.done(answer.method);
          } catch (err) {
            if (err instanceof ApiError && (err.status === 410 || err.status === 404)) {
              this.expired(err);
              return;
            }
            throw err;
          }
        },
      }),
      { focus: "input" },
    );
  }

  expired(err) {
    this.dialog.setTitle("Start again");
    this.dialog.show(
      h(
        "div",
        { class: "stack", ...tid("email-expired") },
        h("p", { class: "notice notice-warning", role: "alert" }, err.message),
        h("div", { class: "dialog-actions" }, button("Start again", { variant: "primary", onClick: () => this.entry() })),
      ),
      { focus: "button" },
    );
  }

  done(method) {
    this.dialog.setTitle("Email");
    this.dialog.show(
      h(
        "div",
        { class: "stack", ...tid("email-success") },
        h("div", { class: "success-mark", "aria-hidden": "true" }, "\u2713"),
        h("p", { class: "lead" }, "Your email address was registered."),
        h("p", { class: "muted" }, `${method.emailAddress} can now be used to reset your password.`),
        h("div", { class: "dialog-actions" }, button("Done", { variant: "primary", testid: "email-done", onClick: () => this.resolve(method) })),
      ),
      { focus: "button" },
    );
  }
}
