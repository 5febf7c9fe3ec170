// Wizard pages: "I want to set up a different method" (the choice), the app-password section
// (name -> the password, shown once), and the success page that lists what was set up.

import { h, tid } from "../dom.js";
import { typeLabel } from "../format.js";
import { icon, methodIcon } from "../icons.js";
import { uniqueId } from "../ui.js";
import { t } from "../i18n.js";
import { copyButton } from "./authenticator.js";
import { choiceArt, keyArt, pageFrame, successArt } from "./common.js";

// Functions: each text is looked up in the language shown now.
const CHOICES = {
  authenticatorApp: () => [t("Authenticator app"), t("Approve sign-ins with a notification on your phone, or use its codes.")],
  phone: () => [t("Phone"), t("Get a text with a code, or answer a call.")],
  email: () => [t("Email"), t("Get a code by email.")],
  securityKey: () => [t("Security key"), t("Use a USB, NFC or built-in security key.")],
};

export function methodChoice(ctx) {
  const types = (ctx.step.types ?? []).filter((type) => type in CHOICES);
  const name = uniqueId("wizard-choice");
  const selected = types.includes(ctx.draft.type) ? ctx.draft.type : types[0];
  const options = types.map((type) => {
    const id = uniqueId("wizard-choice-option");
    const [label, hint] = CHOICES[type]();
    return h(
      "div",
      { class: "choice" },
      h("input", { type: "radio", id, name, value: type, checked: type === selected, "aria-describedby": `${id}-hint`, ...tid(`wizard-choice-${type}`) }),
      h(
        "label",
        { for: id },
        h("span", { class: "choice-icon" }, methodIcon(type, { size: 20 })),
        h("span", { class: "choice-text" }, h("strong", {}, label), h("span", { id: `${id}-hint`, class: "muted small" }, hint)),
      ),
    );
  });
  const group = h("fieldset", { class: "choice-group" }, h("legend", { class: "visually-hidden" }, t("Methods")), options);
  return pageFrame(ctx, {
    section: t("Choose a different method"),
    art: choiceArt(),
    title: t("Which method would you like to use?"),
    body: [
      types.length
        ? group
        : h("p", { class: "notice notice-warning" }, t("There's no other method you can set up here. Go back and continue with this one.")),
    ],
    next: types.length
      ? {
          label: t("Next"),
          input: (showError) => {
            const type = group.querySelector("input:checked")?.value;
            if (!type) {
              showError(t("Choose a method."));
              return null;
            }
            ctx.keepDraft({ type });
            return { type };
          },
        }
      : null,
  });
}

export function appPasswordName(ctx) {
  const id = uniqueId("wizard-app-password-name");
  const input = h("input", {
    id,
    type: "text",
    class: "input",
    maxlength: "64",
    autocomplete: "off",
    placeholder: t("For example: Outlook on my laptop"),
    value: ctx.draft.name ?? "",
    "data-error-target": "",
    ...tid("wizard-app-password-name"),
  });
  return pageFrame(ctx, {
    section: t("App password"),
    art: keyArt(),
    title: t("Create an app password"),
    body: [
      h("p", {}, t("Some apps can't ask for a second sign-in step. They sign in with an app password instead of your password.")),
      h("div", { class: "field" }, h("label", { for: id }, t("Name")), h("p", { class: "field-hint" }, t("A name helps you recognise where you use it. 1 to 64 characters.")), input),
    ],
    next: {
      label: t("Next"),
      input: (showError) => {
        const name = input.value.trim();
        ctx.keepDraft({ name: input.value });
        if (!name) {
          showError(t("Enter a name for the app password."));
          input.setAttribute("aria-invalid", "true");
          input.focus();
          return null;
        }
        return { name };
      },
    },
    focus: "input",
  });
}

export function appPasswordShow(ctx) {
  const { password, name } = ctx.step;
  const body = password
    ? [
        h("p", {}, t("Enter this password in "), name ? h("strong", {}, name) : t("your app"), t(". Copy it now: it won't be shown again.")),
        h(
          "div",
          { class: "password-box wizard-password" },
          h("code", { class: "secret", ...tid("wizard-app-password") }, password),
          copyButton(password, t("app password")),
        ),
      ]
    : [
        h(
          "p",
          { class: "notice notice-warning", ...tid("wizard-app-password-gone") },
          t("This password was already shown, and it isn't kept anywhere. If you didn't copy it, delete it on the Security info page later and create a new one."),
        ),
      ];
  return pageFrame(ctx, {
    section: t("App password"),
    art: keyArt(),
    title: t("Copy your app password"),
    body,
    next: { label: t("Next") },
  });
}

// --- success ---------------------------------------------------------------------------------

/** "Authenticator app (notification)", "Phone (text +1 ••••••••12)": how it will be asked. */
function usage(method) {
  switch (method.type) {
    case "authenticatorApp":
      return t("notification");
    case "softwareOath":
      return t("code");
    case "phone":
      return `${method.channel === "voice" ? t("call") : t("text")} ${method.phoneNumber ?? ""}`.trim();
    case "email":
      return method.emailAddress ?? "";
    default:
      return method.displayName ?? "";
  }
}

function detail(method) {
  switch (method.type) {
    case "phone":
      return method.phoneNumber ?? "";
    case "authenticatorApp":
      return method.deviceName || method.displayName || "";
    case "email":
      return method.emailAddress ?? "";
    default:
      return method.displayName ?? "";
  }
}

export function success(ctx) {
  // In the order they were set up.
  const registered = [...(ctx.step.registered ?? [])].sort((a, b) => String(a.createdAt).localeCompare(String(b.createdAt)));
  const byDefault = registered.find((m) => m.isDefault);
  const list = h(
    "ul",
    { class: "wizard-registered", "aria-label": t("What you set up"), ...tid("wizard-registered") },
    registered.map((m) =>
      h(
        "li",
        { class: "wizard-registered-item", "data-method-type": m.type, ...tid("wizard-registered-item") },
        h("span", { class: "method-icon method-icon-small" }, methodIcon(m.type, { size: 18 })),
        h("span", { class: "wizard-registered-type" }, typeLabel(m.type)),
        h("span", { class: "wizard-registered-detail" }, detail(m)),
      ),
    ),
    (ctx.completed ?? []).includes("appPassword") &&
      h(
        "li",
        { class: "wizard-registered-item", "data-method-type": "appPassword", ...tid("wizard-registered-item") },
        h("span", { class: "method-icon method-icon-small" }, icon("key", { size: 18 })),
        h("span", { class: "wizard-registered-type" }, t("App password")),
        h("span", { class: "wizard-registered-detail" }, t("Created")),
      ),
  );
  const frame = pageFrame(ctx, {
    section: null,
    body: [
      h("div", { class: "wizard-success-art", "aria-hidden": "true" }, successArt()),
      h("h2", { class: "wizard-success-title", tabindex: "-1", ...tid("wizard-success-title") }, t("Success!")),
      h(
        "p",
        { class: "wizard-success-text" },
        ctx.signIn
          ? t("Great job! You have successfully set up your security info. Choose \u201cDone\u201d to continue signing in.")
          : t("Great job! You have successfully set up your security info. Choose \u201cDone\u201d to go back to your Security info."),
      ),
      byDefault &&
        h(
          "p",
          { class: "wizard-default", ...tid("wizard-default") },
          h("span", { class: "muted" }, t("Default sign-in method: ")),
          h("strong", {}, t("{type} ({usage})", { type: typeLabel(byDefault.type), usage: usage(byDefault) })),
        ),
      list.children.length > 0 && list,
    ],
    next: { label: t("Done"), action: "done" },
    focus: ".wizard-success-title",
  });
  frame.node.classList.add("wizard-success");
  return frame;
}
