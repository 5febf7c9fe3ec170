// Wizard pages of the authenticator-app section: download -> set up -> scan the QR code (or "Can't
// scan image?": the code and URL) -> "Let's try it out" (the number to enter on the phone); and
// "I want to use a different authenticator app": any TOTP app's QR code and its 6-digit code.

import { h, tid } from "../dom.js";
import { groupInFours } from "../format.js";
import { button, uniqueId } from "../ui.js";
import { t } from "../i18n.js";
import { actionLink, appTile, codeField, pageFrame, phoneArt, qrPicture } from "./common.js";

// A function: looked up in the language shown now.
const SECTION = () => t("Authenticator app");

const differentMethod = (ctx) => actionLink(ctx, "differentMethod", t("I want to set up a different method"), "wizard-different-method");

/** "Open the simulated phone": this demo's stand-in for the app (a new tab), with the code filled in. */
function simulatedPhoneLink(code = null) {
  const href = code ? `phone.html#code=${encodeURIComponent(String(code).replace(/[\s-]/g, ""))}` : "phone.html";
  return h("a", { href, target: "_blank", rel: "noopener", ...tid("wizard-open-phone") }, t("Open the simulated phone"));
}

export function authenticatorDownload(ctx) {
  return pageFrame(ctx, {
    section: SECTION(),
    art: appTile(),
    title: t("Start by getting the app"),
    body: [
      h("p", {}, t("On your phone, install the Authenticator app. "), simulatedPhoneLink(), h("span", { class: "muted" }, t(" (this demo's app, in a new tab)"))),
      h("p", {}, t("After you install the Authenticator app on your device, choose \u201cNext\u201d.")),
      h("p", { class: "wizard-inline-link" }, actionLink(ctx, "differentApp", t("I want to use a different authenticator app"), "wizard-different-app")),
    ],
    next: { label: t("Next") },
    links: [differentMethod(ctx)],
  });
}

export function authenticatorSetup(ctx) {
  return pageFrame(ctx, {
    section: SECTION(),
    art: phoneArt("check"),
    title: t("Set up your account"),
    body: [
      h("p", {}, t("If prompted, allow notifications. Then add an account, and select \u201cWork or school\u201d.")),
    ],
    next: { label: t("Next") },
    links: [differentMethod(ctx)],
  });
}

export function authenticatorQr(ctx) {
  return qrPage(ctx, { manual: false });
}

export function authenticatorManual(ctx) {
  return qrPage(ctx, { manual: true });
}

/** The activation URL as the app needs it: absolute (the server may give a path on this site). */
function absolute(url) {
  try {
    return new URL(String(url ?? ""), location.origin).href;
  } catch {
    return String(url ?? "");
  }
}

function qrPage(ctx, { manual }) {
  const { step } = ctx;
  const activationUrl = absolute(step.activationUrl);
  const details = manual
    ? h(
        "div",
        { class: "manual-setup wizard-manual", ...tid("wizard-manual") },
        h("p", {}, t("Enter the following into your app:")),
        h(
          "dl",
          { class: "details" },
          h("dt", {}, t("Code:")),
          h("dd", {}, h("code", { class: "secret", ...tid("wizard-activation-code") }, step.activationCode ?? ""), copyButton(step.activationCode, t("code"))),
          h("dt", {}, t("URL:")),
          h("dd", {}, h("code", { class: "secret secret-wrap", ...tid("wizard-activation-url") }, activationUrl), copyButton(activationUrl, t("URL"))),
        ),
        h("p", { class: "muted small" }, t("Using this demo's simulated phone? "), simulatedPhoneLink(step.activationCode), t(" and the code is filled in.")),
      )
    : h("p", {}, actionLink(ctx, "cantScan", t("Can't scan image?"), "wizard-cant-scan"));
  return pageFrame(ctx, {
    section: SECTION(),
    art: appTile(),
    title: t("Scan the QR code"),
    body: [
      h("p", {}, t("Use the Authenticator app to scan the QR code. This will connect the Authenticator app with your account.")),
      h("p", {}, t("After you scan the QR code, choose \u201cNext\u201d.")),
      qrPicture(step.qrSvg, t("QR code to connect the Authenticator app with your account"), "wizard-qr"),
      details,
    ],
    next: { label: t("Next") },
    links: [differentMethod(ctx)],
  });
}

// What the phone did with the test notification, said beside the number as soon as it happens.
const TEST_RESULTS = {
  approved: { kind: "success", text: () => t("Notification approved. Select \u201cNext\u201d to go on.") },
  numberMismatch: { kind: "warning", text: () => t("The number entered in the app didn't match, so the notification was denied. Select \u201cSend the notification again\u201d to get a new number.") },
  denied: { kind: "warning", text: () => t("The notification was denied in your app. Select \u201cSend the notification again\u201d to get a new one.") },
  expired: { kind: "warning", text: () => t("The notification wasn't answered in time. Select \u201cSend the notification again\u201d to get a new one.") },
};
const WATCH_MS = 2000;

export function authenticatorTest(ctx) {
  const number = String(ctx.step.numberToMatch ?? "");
  const outcome = h("p", { class: "notice", role: "status", hidden: true, ...tid("wizard-test-result") });
  const frame = pageFrame(ctx, {
    section: SECTION(),
    art: phoneArt("check"),
    title: t("Let's try it out"),
    body: [
      h("p", {}, t("Approve the notification we're sending to your app by entering the number shown below.")),
      h(
        "div",
        { class: "number-match wizard-number", role: "img", "aria-label": t("Number to enter in your app: {number}", { number }), ...tid("wizard-number") },
        number,
      ),
      outcome,
      h("p", { class: "muted" }, t("When you've approved it on your phone, choose \u201cNext\u201d.")),
      h("p", {}, actionLink(ctx, "resend", t("Send the notification again"), "wizard-resend")),
    ],
    next: { label: t("Next") },
    links: [differentMethod(ctx)],
  });
  const say = (result) => {
    const shown = TEST_RESULTS[result];
    if (!shown || outcome.dataset.result === result) return;
    outcome.dataset.result = result;
    outcome.className = `notice notice-${shown.kind}`;
    outcome.textContent = shown.text();
    outcome.hidden = false;
    // An earlier "approve it first" no longer holds once the phone answered.
    frame.showError("");
  };
  say(ctx.step.testResult);
  watchTest(ctx, frame.node, say);
  return frame;
}

/** Ask the wizard again while this page is shown, for what the phone did with the notification. */
async function watchTest(ctx, node, say) {
  const stepId = ctx.step.id;
  await new Promise((resolve) => setTimeout(resolve, 0)); // once the page is on screen
  while (node.isConnected) {
    await new Promise((resolve) => setTimeout(resolve, WATCH_MS));
    if (!node.isConnected) return;
    let answer;
    try {
      answer = await ctx.api.get("/me/enrollment");
    } catch {
      continue; // the next round asks again; the page's own buttons still work
    }
    if (!node.isConnected || answer?.step?.id !== stepId) return;
    say(answer.step.testResult);
    if (answer.step.testResult === "approved") return;
  }
}

/** "I want to use a different authenticator app": scan (or type the key), then the app's code. */
export function softwareOathQr(ctx) {
  const { step } = ctx;
  const panelId = uniqueId("wizard-secret");
  const panel = h(
    "div",
    { id: panelId, class: "manual-setup", hidden: !ctx.draft.showKey, ...tid("wizard-secret-panel") },
    h("p", {}, t("Enter these details in your app. Choose a time-based account if it asks.")),
    h(
      "dl",
      { class: "details" },
      h("dt", {}, t("Account name:")),
      h("dd", { ...tid("wizard-account-name") }, step.accountName ?? ""),
      h("dt", {}, t("Secret key:")),
      h("dd", {}, h("code", { class: "secret", ...tid("wizard-secret") }, groupInFours(step.secret)), copyButton(step.secret, t("secret key"))),
    ),
  );
  const toggle = button(t("Can't scan image?"), {
    variant: "link",
    class: "btn btn-link flush",
    testid: "wizard-cant-scan",
    "aria-expanded": String(!panel.hidden),
    "aria-controls": panelId,
  });
  toggle.addEventListener("click", () => {
    panel.hidden = !panel.hidden;
    toggle.setAttribute("aria-expanded", String(!panel.hidden));
    ctx.keepDraft({ showKey: !panel.hidden });
  });
  const code = codeField({ label: t("Enter code"), hint: t("Enter the 6-digit code shown in your authenticator app.") });
  return pageFrame(ctx, {
    section: SECTION(),
    art: appTile(),
    title: t("Scan the QR code"),
    body: [
      h("p", {}, t("Use your authenticator app to scan the QR code. This connects the app with your account.")),
      qrPicture(step.qrSvg, t("QR code for your authenticator app"), "wizard-qr"),
      h("p", {}, toggle),
      panel,
      code.node,
    ],
    next: { label: t("Next"), input: (showError) => {
      const value = code.read(showError);
      return value === null ? null : { code: value };
    } },
    links: [differentMethod(ctx)],
  });
}

/** A small "Copy" beside a value. */
export function copyButton(value, what) {
  const copy = button(t("Copy"), { variant: "link", class: "btn btn-link copy-button", "aria-label": t("Copy {what}", { what }) });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(String(value ?? ""));
      copy.textContent = t("Copied");
    } catch {
      copy.textContent = t("Select and copy");
    }
  });
  return copy;
}
