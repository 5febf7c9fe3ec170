// t("Hardware token"): a hardware OATH (TOTP) token your administrator handed out. Flow: the serial
// number printed on the token (and a name, optional) -> POST /me/methods -> the code the token
// shows now (6 or 8 digits) -> the new method. An unknown serial, or one given to someone else,
// is refused with the same message.

import { h, tid } from "../dom.js";
import { t } from "../i18n.js";
import { icon } from "../icons.js";
import { button, busy, codeForm, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { completeRegistration, doneStep, expiredStep } from "./steps.js";

const CODE_LENGTHS = [6, 8];

export default {
  type: "hardwareOath",
  get label() {
    return t("Hardware token");
  },
  get summary() {
    return t("Use a hardware token from your organization that shows a code when you press its button.");
  },
  icon: "key",
  codeDigits: CODE_LENGTHS,
  get codePrompt() {
    return t("Press the button on your hardware token and enter the 6- or 8-digit code it shows.");
  },

  add({ api, dialog, back }) {
    return new Promise((resolve) => {
      const flow = new Flow(api, dialog, back, resolve);
      flow.intro();
    });
  },
};

class Flow {
  constructor(api, dialog, back, resolve) {
    this.api = api;
    this.dialog = dialog;
    this.back = back;
    this.resolve = resolve;
    this.serialNumber = "";
    this.displayName = "";
  }

  intro() {
    const { dialog } = this;
    dialog.setTitle(t("Hardware token"));
    const serial = h("input", {
      type: "text",
      class: "input",
      maxlength: "64",
      autocomplete: "off",
      spellcheck: "false",
      required: true,
      value: this.serialNumber,
      ...tid("hwtoken-serial-input"),
    });
    const name = h("input", {
      type: "text",
      class: "input",
      maxlength: "64",
      autocomplete: "off",
      value: this.displayName,
      ...tid("hwtoken-name-input"),
    });
    const error = errorLine("hwtoken-start-error");
    const next = button(t("Next"), { variant: "primary", type: "submit", testid: "hwtoken-start" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("p", {}, t("Enter the serial number printed on the back of your token. Your administrator may have given it to you already.")),
      field({ label: t("Serial number"), input: serial, id: uniqueId("hwtoken-serial") }),
      field({
        label: t("Name for this method (optional)"),
        hint: t("Leave it empty to use the token's make and model."),
        input: name,
        id: uniqueId("hwtoken-name"),
      }),
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.back(), testid: "hwtoken-back" }), next),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      this.serialNumber = serial.value.trim();
      this.displayName = name.value.trim();
      if (!this.serialNumber) {
        error.show(t("Enter the serial number printed on the token."));
        serial.focus();
        return;
      }
      const body = { type: "hardwareOath", serialNumber: this.serialNumber };
      if (this.displayName) body.displayName = this.displayName;
      try {
        const setup = await busy(next, () => this.api.post("/me/methods", body, { idempotent: true }), t("Checking\u2026"));
        this.code(setup);
      } catch (err) {
        showRefusal(error, err);
      }
    });
    dialog.show(form, { focus: "[data-testid=hwtoken-serial-input]" });
  }

  code(setup) {
    const { dialog } = this;
    dialog.setTitle(t("Enter code"));
    const { form } = codeForm({
      label: t("Code"),
      hint: t("Press the button on token {serial} and enter the code it shows.", { serial: setup.serialNumber }),
      submitText: t("Next"),
      testid: "hwtoken-code",
      digits: CODE_LENGTHS,
      tooShort: t("Enter the 6- or 8-digit code your token shows."),
      onCancel: () => this.intro(),
      submit: (code) =>
        completeRegistration(this.api, setup.registrationId, { code }, { done: (method) => this.done(method), expired: (err) => this.expired(err) }),
    });
    dialog.show(form);
  }

  expired(err) {
    expiredStep(this.dialog, {
      testid: "hwtoken-expired",
      err,
      restartTestid: "hwtoken-start-again",
      restart: () => this.intro(),
    });
  }

  done(method) {
    doneStep(this.dialog, {
      title: t("Hardware token"),
      prefix: "hwtoken",
      mark: h("div", { class: "success-mark" }, icon("check", { size: 28 })),
      lead: t("Your hardware token was registered."),
      detail: t("\u201c{name}\u201d (serial {serial}) can now be used to sign in.", { name: method.displayName, serial: method.serialNumber }),
      onDone: () => this.resolve(method),
    });
  }
}
