// "Authenticator app" via "I want to use a different authenticator app": any RFC 6238 TOTP app.
// Flow: name -> POST /me/methods -> QR code (or the manual key) -> 6-digit code -> the new method.

import { h, svgNode, tid } from "../dom.js";
import { groupInFours } from "../format.js";
import { icon } from "../icons.js";
import { button, busy, codeForm, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { completeRegistration, doneStep, expiredStep } from "./steps.js";
import { t } from "../i18n.js";


export default {
  type: "softwareOath",
  get label() {
    return t("Authenticator app (any TOTP app)");
  },
  get summary() {
    return t("Use any app that shows 6-digit codes, such as a password manager or an authenticator app.");
  },
  icon: "app",
  get codePrompt() {
    return t("Enter the 6-digit code shown in your authenticator app.");
  },

  /**
   * Run the add flow in `dialog` (from ui.openDialog). Resolves with the new Method, or null if the
   * user went back to the method choice.
   */
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
    this.displayName = "";
  }

  intro() {
    const { dialog } = this;
    dialog.setTitle(t("Authenticator app"));
    const name = h("input", {
      type: "text",
      class: "input",
      maxlength: "64",
      autocomplete: "off",
      placeholder: t("Authenticator app"),
      value: this.displayName,
      ...tid("oath-name-input"),
    });
    const error = errorLine("oath-start-error");
    const next = button(t("Next"), { variant: "primary", type: "submit", testid: "oath-start" });
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      h("div", { class: "step-illustration", "aria-hidden": "true" }, phoneIcon()),
      h(
        "p",
        {},
        t("Open the authenticator app on your phone and add a new account. When your app asks how, choose to scan a QR code."),
      ),
      field({
        label: t("Name for this method (optional)"),
        hint: t("Helps you tell your apps apart, for example \u201cWork phone\u201d."),
        input: name,
        id: uniqueId("oath-name"),
      }),
      error,
      h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => this.back(), testid: "oath-back" }), next),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.clear();
      this.displayName = name.value.trim();
      const body = { type: "softwareOath" };
      if (this.displayName) body.displayName = this.displayName;
      try {
        const setup = await busy(next, () => this.api.post("/me/methods", body, { idempotent: true }), t("Starting\u2026"));
        this.qr(setup);
      } catch (err) {
        showRefusal(error, err);
      }
    });
    dialog.show(form);
  }

  qr(setup) {
    const { dialog } = this;
    dialog.setTitle(t("Scan the QR code"));
    const panelId = uniqueId("cant-scan");
    const picture = svgNode(setup.qrSvg);
    if (picture) {
      picture.setAttribute("role", "img");
      picture.setAttribute("aria-label", t("QR code for your authenticator app"));
    }
    const secretText = groupInFours(setup.secret);
    const copyButton = button(t("Copy"), { variant: "link", testid: "oath-copy-secret", "aria-label": t("Copy secret key") });
    copyButton.addEventListener("click", async () => {
      try {
        await navigator.clipboard.writeText(setup.secret);
        copyButton.textContent = t("Copied");
      } catch {
        copyButton.textContent = t("Select and copy");
      }
    });
    const panel = h(
      "div",
      { id: panelId, class: "manual-setup", hidden: true, ...tid("cant-scan-panel") },
      h("p", {}, t("Enter these details in your app instead. Choose a time-based account if it asks.")),
      h(
        "dl",
        { class: "details" },
        h("dt", {}, t("Account name")),
        h("dd", { ...tid("oath-account-name") }, setup.accountName ?? ""),
        h("dt", {}, t("Secret key")),
        h("dd", {}, h("code", { class: "secret", ...tid("oath-secret") }, secretText), " ", copyButton),
        h("dt", {}, t("Issuer")),
        h("dd", { ...tid("oath-issuer") }, setup.issuer ?? ""),
      ),
    );
    const toggle = button(t("Can't scan the QR image?"), {
      variant: "link",
      testid: "cant-scan-toggle",
      class: "btn btn-link flush",
      "aria-expanded": "false",
      "aria-controls": panelId,
    });
    toggle.addEventListener("click", () => {
      const open = panel.hidden;
      panel.hidden = !open;
      toggle.setAttribute("aria-expanded", String(open));
    });
    dialog.show(
      h(
        "div",
        { class: "stack" },
        h("p", {}, t("Use your authenticator app to scan the QR code. This connects the app with your account.")),
        h(
          "div",
          { class: "qr-frame", ...tid("oath-qr") },
          picture ?? h("p", { class: "muted" }, t("The QR code could not be shown. Use the key below.")),
        ),
        h("div", {}, toggle),
        panel,
        h(
          "p",
          { class: "muted small" },
          t("After you scan the QR code or enter the key, select Next."),
        ),
        h(
          "div",
          { class: "dialog-actions" },
          button(t("Start over"), { onClick: () => this.intro(), testid: "oath-restart" }),
          button(t("Next"), { variant: "primary", testid: "oath-next", onClick: () => this.code(setup) }),
        ),
      ),
      { focus: "[data-testid=oath-next]" },
    );
    if (!picture) {
      panel.hidden = false;
      toggle.setAttribute("aria-expanded", "true");
    }
  }

  code(setup) {
    const { dialog } = this;
    dialog.setTitle(t("Enter code"));
    const { form } = codeForm({
      label: t("Code"),
      hint: t("Enter the 6-digit code shown in your authenticator app."),
      submitText: t("Next"),
      testid: "oath-code",
      onCancel: () => this.qr(setup),
      submit: (code) =>
        completeRegistration(this.api, setup.registrationId, { code }, { done: (method) => this.done(method), expired: (err) => this.expired(err) }),
    });
    dialog.show(form);
  }

  expired(err) {
    expiredStep(this.dialog, {
      testid: "oath-expired",
      err,
      note: t("This setup can no longer be completed. Remove the account you added in your app, then start again to get a new QR code."),
      restartTestid: "oath-start-again",
      restart: () => this.intro(),
    });
  }

  done(method) {
    doneStep(this.dialog, {
      title: t("Authenticator app"),
      prefix: "oath",
      mark: h("div", { class: "success-mark" }, icon("check", { size: 28 })),
      lead: t("Your authenticator app was registered."),
      detail: t("\u201c{name}\u201d can now be used to sign in.", { name: method.displayName }),
      onDone: () => this.resolve(method),
    });
  }
}

function phoneIcon() {
  const ns = "http://www.w3.org/2000/svg";
  const svg = document.createElementNS(ns, "svg");
  svg.setAttribute("viewBox", "0 0 64 64");
  svg.setAttribute("width", "56");
  svg.setAttribute("height", "56");
  for (const [tag, attrs] of [
    ["rect", { x: "16", y: "4", width: "32", height: "56", rx: "6", fill: "#e8f1fb", stroke: "#0f6cbd", "stroke-width": "3" }],
    ["rect", { x: "22", y: "14", width: "20", height: "26", rx: "2", fill: "#ffffff", stroke: "#0f6cbd", "stroke-width": "2" }],
    ["path", { d: "M27 27l4 4 7-8", fill: "none", stroke: "#0f6cbd", "stroke-width": "3", "stroke-linecap": "round", "stroke-linejoin": "round" }],
    ["circle", { cx: "32", cy: "50", r: "3", fill: "#0f6cbd" }],
  ]) {
    const el = document.createElementNS(ns, tag);
    for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
    svg.append(el);
  }
  return svg;
}
