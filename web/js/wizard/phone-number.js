// Wizard pages of the phone section: the number and how to get the code (text or call), then the
// code ("We just sent a 6 digit code to +1 ••••••••12"), with "Resend code".

import { h, tid } from "../dom.js";
import { uniqueId } from "../ui.js";
import { language, locale, t } from "../i18n.js";
import { actionLink, codeField, pageFrame, phoneArt } from "./common.js";

// A function: looked up in the language shown now.
const SECTION = () => t("Phone");

// Country calling codes offered first; anyone else types the number with its + prefix.
const COUNTRIES = [
  ["US", "United States", "1"],
  ["CA", "Canada", "1"],
  ["GB", "United Kingdom", "44"],
  ["IE", "Ireland", "353"],
  ["DE", "Germany", "49"],
  ["FR", "France", "33"],
  ["ES", "Spain", "34"],
  ["IT", "Italy", "39"],
  ["NL", "Netherlands", "31"],
  ["SE", "Sweden", "46"],
  ["CH", "Switzerland", "41"],
  ["IN", "India", "91"],
  ["JP", "Japan", "81"],
  ["AU", "Australia", "61"],
  ["NZ", "New Zealand", "64"],
  ["BR", "Brazil", "55"],
  ["MX", "Mexico", "52"],
  ["ZA", "South Africa", "27"],
];

/** A country's name in the page's language (the browser knows them: Intl.DisplayNames); English as listed. */
function countryName(code, english) {
  if (language() === "en") return english;
  try {
    return new Intl.DisplayNames([locale()], { type: "region" }).of(code) ?? english;
  } catch {
    return english;
  }
}

const differentMethod = (ctx) => actionLink(ctx, "differentMethod", t("I want to set up a different method"), "wizard-different-method");

/** E.164 from what was typed: "+44 7700 900123" as is; otherwise the country's code + the digits. */
export function toE164(callingCode, typed) {
  const text = String(typed ?? "").trim();
  const digits = text.replace(/\D/g, "");
  if (text.startsWith("+")) return `+${digits}`;
  // A national trunk prefix (0 in most countries, 1 in North America) is not dialled from abroad.
  const national = callingCode === "1" ? digits.replace(/^1(?=\d{10}$)/, "") : digits.replace(/^0+/, "");
  return `+${callingCode}${national}`;
}

export function phoneEntry(ctx) {
  const draft = ctx.draft;
  const countryId = uniqueId("wizard-country");
  const country = h(
    "select",
    { id: countryId, class: "input wizard-country", "aria-label": t("Country or region"), ...tid("wizard-country") },
    COUNTRIES.map(([code, name, calling]) =>
      h("option", { value: code, selected: (draft.country ?? "US") === code }, `${countryName(code, name)} (+${calling})`),
    ),
  );
  const numberId = uniqueId("wizard-phone");
  const number = h("input", {
    id: numberId,
    type: "tel",
    class: "input",
    autocomplete: "tel-national",
    inputmode: "tel",
    maxlength: "24",
    placeholder: t("Enter phone number"),
    "aria-label": t("Phone number"),
    value: draft.number ?? "",
    "data-error-target": "",
    ...tid("wizard-phone-number"),
  });
  number.addEventListener("input", () => number.removeAttribute("aria-invalid"));
  const channelName = uniqueId("wizard-channel");
  const radio = (value, label, testid) => {
    const id = uniqueId("wizard-channel-option");
    return h(
      "div",
      { class: "radio" },
      h("input", { type: "radio", id, name: channelName, value, checked: (draft.channel ?? "sms") === value, ...tid(testid) }),
      h("label", { for: id }, label),
    );
  };
  const channels = h(
    "fieldset",
    { class: "radio-group" },
    h("legend", { class: "visually-hidden" }, t("How should we send the code?")),
    radio("sms", t("Receive a code"), "wizard-channel-sms"),
    radio("voice", t("Call me"), "wizard-channel-voice"),
  );
  const callingCode = () => COUNTRIES.find(([code]) => code === country.value)?.[2] ?? "1";
  return pageFrame(ctx, {
    section: SECTION(),
    art: phoneArt("message"),
    lead: [h("p", { class: "wizard-lead" }, t("You can prove who you are by answering a call on your phone or receiving a code on your phone."))],
    title: t("What phone number would you like to use?"),
    body: [
      h("div", { class: "phone-row" }, country, number),
      channels,
      h(
        "p",
        { class: "muted small" },
        t("Message and data rates may apply. Choosing Next means that you agree to the Terms of service and Privacy and cookies statement."),
      ),
    ],
    next: {
      label: t("Next"),
      input: (showError) => {
        const channel = channels.querySelector("input:checked")?.value ?? "sms";
        ctx.keepDraft({ country: country.value, number: number.value, channel });
        const digits = number.value.replace(/\D/g, "");
        if (digits.length < 4) {
          showError(t("Enter a phone number."));
          number.setAttribute("aria-invalid", "true");
          number.focus();
          return null;
        }
        return { phoneType: "mobile", phoneNumber: toE164(callingCode(), number.value), channel };
      },
    },
    links: [differentMethod(ctx)],
    focus: "input[type=tel]",
  });
}

export function phoneCode(ctx) {
  const { step } = ctx;
  const sentTo = h("span", { class: "nowrap", ...tid("wizard-sent-to") }, step.sentTo ?? t("your phone"));
  const sentence =
    step.channel === "voice"
      ? h("p", { ...tid("wizard-code-sent") }, t("We're calling "), sentTo, t(" now. Enter the code you hear below."))
      : h("p", { ...tid("wizard-code-sent") }, t("We just sent a 6-digit code to "), sentTo, t(". Enter the code below."));
  const code = codeField({ label: t("Enter code") });
  return pageFrame(ctx, {
    section: SECTION(),
    art: phoneArt("message"),
    body: [
      sentence,
      code.node,
      h("p", {}, actionLink(ctx, "resend", step.channel === "voice" ? t("Call me again") : t("Resend code"), "wizard-resend")),
    ],
    next: {
      label: t("Next"),
      input: (showError) => {
        const value = code.read(showError);
        return value === null ? null : { code: value };
      },
    },
    focus: "input",
  });
}
