// "Phone": a code by text message or by call. Flow: kind (mobile / alternate mobile / office),
// number and "text me" or "call me" -> POST /me/methods -> the code we sent -> the new method.
// The pencil ("Change") edits a phone: name and text/call at once; a new number first receives a
// code and replaces the old one only once that code is entered.

import { seg } from "../api.js";
import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { codeVerification, registrationCodeStep, sentCodeStep } from "./sent-code.js";
import { doneStep, expiredStep } from "./steps.js";
import { t } from "../i18n.js";

const KINDS = [
  { value: "mobile", label: () => t("Mobile phone"), channels: ["sms", "voice"] },
  { value: "alternateMobile", label: () => t("Alternate mobile phone"), channels: ["voice"] },
  { value: "office", label: () => t("Office phone"), channels: ["voice"] },
];
const CHANNEL_LABELS = { sms: () => t("Text me a code"), voice: () => t("Call me") };

/** "+1 (425) 555-0100" or "001 425..." -> "+14255550100"; anything else is left for the server to refuse. */
export function toE164(typed) {
  let value = String(typed ?? "").trim().replace(/[\s().\-\u00a0]/g, "");
  if (value.startsWith("00")) value = `+${value.slice(2)}`;
  return value;
}

export default {
  type: "phone",
  get label() {
    return t("Phone");
  },
  get summary() {
    return t("Get a code by text message or a phone call. Works for sign-in and password reset.");
  },
  icon: "phone",
  get codePrompt() {
    return t("Enter the 6-digit code we sent to your phone.");
  },

  add({ api, dialog, back }) {
    return new Promise((resolve) => new AddFlow(api, dialog, back, resolve).entry());
  },

  /** The pencil: name, text or call, or a new number (proved by a code before it counts). */
  edit({ api, dialog, method }) {
    return new Promise((resolve) => new EditFlow(api, dialog, method, resolve).form());
  },

  /** The sign-in / reset step: the code we sent, with "Send a new code". */
  verify({ api, verification, testid, rememberDeviceDays, show, onApproved, expired }) {
    codeVerification({ api, verification, testid, rememberDeviceDays, show, onApproved, expired, digits: 6 });
  },
};

function channelChoice(kind, selected, name) {
  const allowed = KINDS.find((k) => k.value === kind)?.channels ?? ["voice"];
  const current = allowed.includes(selected) ? selected : allowed[0];
  return h(
    "fieldset",
    { class: "choice-group", ...tid("phone-channel") },
    h("legend", {}, t("How should we send your code?")),
    ["sms", "voice"].map((channel) => {
      const id = uniqueId(`channel-${channel}`);
      const disabled = !allowed.includes(channel);
      return h(
        "div",
        { class: "radio" },
        h("input", { type: "radio", name, id, value: channel, checked: channel === current, disabled, ...tid(`phone-channel-${channel}`) }),
        h("label", { for: id }, CHANNEL_LABELS[channel](), disabled ? t(" (not for this kind of phone)") : ""),
      );
    }),
  );
}

const chosenChannel = (form, name) => form.querySelector(`input[name="${name}"]:checked`)?.value ?? "voice";

class AddFlow {
  constructor(api, dialog, back, resolve) {
    this.api = api;
    this.dialog = dialog;
    this.back = back;
    this.resolve = resolve;
    this.values = { phoneType: "mobile", phoneNumber: "", channel: "sms" };
  }

  entry() {
    const { dialog, values } = this;
    dialog.setTitle(t("Phone"));
    const radioName = uniqueId("phone-channel");
    const kind = h(
      "select",
      { class: "input", ...tid("phone-type-select") },
      KINDS.map((k) => h("option", { value: k.value, selected: k.value === values.phoneType }, k.label())),
    );
    const number = h("input", {
      type: "tel",
      class: "input",
      autocomplete: "tel",
      inputmode: "tel",
      maxlength: "32",
      placeholder: "+1 425 555 0100",
      value: values.phoneNumber,
      ...tid("phone-number-input"),
    });
    let channels = channelChoice(values.phoneType, values.channel, radioName);
    const error = errorLine("phone-start-error");
    const next = button(t("Next"), { variant: "primary", type: "submit", testid: "phone-start" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("p", {}, t("You can prove who you are by answering a call on your phone or texting a code to your phone.")),
      field({ label: t("What kind of phone is it?"), input: kind, id: uniqueId("phone-type") }),
      field({ label: t("Phone number"), input: number, id: uniqueId("phone-number"), hint: t("Include the country code, for example +1 425 555 0100.") }),
      channels,
      h("p", { class: "muted small" }, t("Message and data rates may apply. Choosing Next means that you agree to receive codes for this account.")),
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.back(), testid: "phone-back" }), next),
    );
    kind.addEventListener("change", () => {
      const fresh = channelChoice(kind.value, chosenChannel(form, radioName), radioName);
      channels.replaceWith(fresh);
      channels = fresh;
    });
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      values.phoneType = kind.value;
      values.phoneNumber = toE164(number.value);
      values.channel = chosenChannel(form, radioName);
      if (!values.phoneNumber) {
        error.show(t("Enter your phone number."));
        number.focus();
        return;
      }
      const body = { type: "phone", ...values };
      try {
        const begun = await busy(next, () => this.api.post("/me/methods", body, { idempotent: true }), t("Sending\u2026"));
        this.code(begun);
      } catch (err) {
        showRefusal(error, err);
        if (err.field === "phoneNumber") number.focus();
      }
    });
    dialog.show(form);
  }

  code(begun) {
    registrationCodeStep({
      api: this.api,
      dialog: this.dialog,
      begun,
      channel: begun.channel,
      digits: 6,
      testid: "phone-code",
      onCancel: () => this.entry(),
      done: (method) => this.done(method),
      expired: (err) => expiredStep(this.dialog, { testid: "phone-expired", err, restartTestid: "phone-start-again", restart: () => this.entry() }),
    });
  }

  done(method) {
    doneStep(this.dialog, {
      title: t("Phone"),
      prefix: "phone",
      lead: method.channel === "voice" ? t("Call answered. Your phone was registered.") : t("Verified. Your phone was registered."),
      detail: t("{name} ({number}) can now be used.", { name: method.displayName, number: method.phoneNumber }),
      onDone: () => this.resolve(method),
    });
  }
}

class EditFlow {
  constructor(api, dialog, method, resolve) {
    this.api = api;
    this.dialog = dialog;
    this.method = method;
    this.resolve = resolve;
  }

  form() {
    const { dialog, method } = this;
    dialog.setTitle(t("Change phone"));
    const radioName = uniqueId("edit-channel");
    const name = h("input", { type: "text", class: "input", maxlength: "64", value: method.displayName, ...tid("phone-edit-name") });
    const number = h("input", {
      type: "tel",
      class: "input",
      inputmode: "tel",
      maxlength: "32",
      placeholder: method.phoneNumber,
      ...tid("phone-edit-number"),
    });
    const channels = channelChoice(method.phoneType, method.channel, radioName);
    const error = errorLine("phone-edit-error");
    const save = button(t("Save"), { variant: "primary", type: "submit", testid: "phone-edit-save" });
    const form = h(
      "form",
      { class: "stack", novalidate: true, ...tid("phone-edit-form") },
      field({ label: t("Name"), input: name, id: uniqueId("edit-name") }),
      field({
        label: t("New phone number (optional)"),
        input: number,
        id: uniqueId("edit-number"),
        hint: t("Now {number}. A new number gets a code first and replaces this one only when you enter it.", { number: method.phoneNumber }),
      }),
      channels,
      error,
      h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close() }), save),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      const body = {};
      const displayName = name.value.trim();
      if (displayName && displayName !== method.displayName) body.displayName = displayName;
      const channel = chosenChannel(form, radioName);
      const newNumber = toE164(number.value);
      if (newNumber) body.phoneNumber = newNumber;
      if (channel !== method.channel || (newNumber && channel)) body.channel = channel;
      if (Object.keys(body).length === 0) {
        dialog.close();
        return;
      }
      try {
        const answer = await busy(save, () => this.api.patch(`/me/methods/${seg(method.id)}`, body), t("Saving\u2026"));
        if (answer.registrationId) this.prove(answer);
        else this.resolve(answer.method);
      } catch (err) {
        showRefusal(error, err);
      }
    });
    dialog.show(form, { focus: "input" });
  }

  prove(change) {
    this.dialog.setTitle(t("Confirm the new number"));
    this.dialog.show(
      sentCodeStep({
        api: this.api,
        channel: change.channel,
        sentTo: change.sentTo,
        digits: 6,
        testid: "phone-change-code",
        submitText: t("Confirm"),
        resendPath: `/me/methods/registrations/${seg(change.registrationId)}/resend`,
        onCancel: () => this.form(),
        submit: async (code) => {
          const answer = await this.api.post(`/me/methods/registrations/${seg(change.registrationId)}`, { code });
          this.resolve(answer.method);
        },
      }),
      { focus: "input" },
    );
  }
}
