// "Reset password": the self-service password reset prompt. The user proves who they are with the
// methods that serve password reset (a phone, an email code, security questions, an authenticator
// app, a key); with the policy's 2 methods, the first approval answers ssprComplete: false and the
// page asks for a second, different method. (The password itself belongs to the identity provider;
// the demo ends where it would ask for the new password.)

import { h, replace, tid } from "./dom.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { promptHead, promptPage } from "./prompt.js";
import { announce, button, loadOrNotice } from "./ui.js";
import { runVerification } from "./verify.js";

/** Render the page into `main`; `loadInfo()` reads GET /me/security-info. */
export async function resetPasswordView({ api, main, loadInfo }) {
  const panel = promptPage(main, {
    viewTestid: "reset-view",
    panelTestid: "reset-panel",
    title: t("Reset password"),
    subtitle: t("See what getting back into your account looks like when you forgot your password."),
    label: t("Password reset prompt"),
  });
  const info = await loadOrNotice(panel, loadInfo);
  if (!info) return;
  const usable = (info.methods ?? []).filter((m) => (m.usableFor ?? []).includes("sspr"));
  const show = (title, ...nodes) => {
    replace(panel, promptHead(api.session.username, title), ...nodes);
  };

  if (usable.length === 0) {
    show(
      t("Get back into your account"),
      h("p", { ...tid("reset-no-method") }, t("You have no method for password reset yet.")),
      h("a", { href: "#/security-info", class: "btn btn-primary" }, t("Add a method")),
    );
    return;
  }

  const start = () =>
    show(
      t("Get back into your account"),
      h("p", {}, t("Verify your identity with one of your methods to choose a new password.")),
      h("div", { class: "form-actions" }, button(t("Start"), { variant: "primary", testid: "reset-start", onClick: () => step([]) })),
    );

  const step = (used) => {
    const remaining = usable.filter((m) => !used.includes(m.id));
    const title = used.length ? t("Verify with a second method") : t("Verify your identity");
    if (remaining.length === 0) {
      show(
        title,
        h("p", { class: "notice notice-warning", role: "alert", ...tid("reset-need-more") },
          t("Your organization asks for one more method than you have. Add another method under Security info.")),
      );
      return;
    }
    runVerification({
      api,
      purpose: "sspr",
      methods: remaining,
      testid: "reset",
      intro: used.length ? h("p", { ...tid("reset-second") }, t("Your organization needs a second, different method.")) : null,
      show: (nodes, { focus = "input, select, button" } = {}) => {
        show(title, nodes);
        panel.querySelector(focus)?.focus();
      },
      onApproved: (answer, verification) => {
        if (answer.ssprComplete) done();
        else step([...used, verification.methodId]);
      },
    });
  };

  const done = () => {
    show(
      t("Choose a new password"),
      h(
        "div",
        { class: "stack", ...tid("reset-complete") },
        h("div", { class: "success-mark", "aria-hidden": "true" }, icon("check", { size: 28 })),
        h("p", { class: "lead", role: "status" }, t("You proved it's you. You can now choose a new password.")),
        h("p", { class: "muted small" }, t("In this demo the password belongs to your identity provider, so nothing is changed.")),
        h("div", { class: "form-actions" }, button(t("Try again"), { testid: "reset-again", onClick: start })),
      ),
    );
    panel.querySelector("button")?.focus();
    announce(t("Identity verified for password reset."));
  };

  start();
}
