// The pages: sign-in (oidc.js), Security info (list, add, rename, delete, default), and "Try sign-in".

import { mountLanguagePicker, onLanguageChange, sentence, t } from "./i18n.js";
import { Api, ApiError, seg } from "./api.js";
import { h, redrawKeepingFocus, replace, tid } from "./dom.js";
import { describeError, formatDate, methodName, typeDetail, typeLabel } from "./format.js";
import { icon, methodIcon } from "./icons.js";
import { ADDABLE, moduleFor } from "./methods/index.js";
import { announce, busy, button, clearAnnouncement, confirmDialog, errorLine, field, loadOrNotice, openDialog, showRefusal, uniqueId } from "./ui.js";
import { promptHead, promptPage } from "./prompt.js";
import { runVerification, stepUpDialog } from "./verify.js";
import { resetPasswordView } from "./reset-password.js";
import { appPasswordsSection } from "./app-passwords.js";
import { recoveryCodesSection } from "./recovery-codes.js";
import { rememberedDevicesSection } from "./remembered-devices.js";
import { activityView } from "./activity.js";
import { dropRememberedToken, keepRememberedToken, mfaStatus, passkeyOptions, passkeyVerify } from "./signin-demo.js";
import { browserError, credentialJson, requestOptions, supported as webAuthnSupported } from "./methods/security-key.js";
import { WIZARD_ROUTE, signInInterrupt, wizardNeeded, wizardView } from "./wizard.js";
import { expiredCard, signedOutCard, startSession } from "./oidc.js";

const main = document.getElementById("main");
const userArea = document.getElementById("user-area");
const nav = document.getElementById("sidenav");

const state = { info: null };

// A function: the name is shown in the language chosen now.
const appName = () => t("My Sign-Ins");
// How the session ended, when it has: the page then says so instead of showing the views.
let ended = null; // null | "expired" | "signedOut"
let client = null;

const api = new Api({
  stepUp: () => stepUpDialog(api, async () => (await loadInfo()).methods),
  unauthorized: () => {
    // The gateway refused the token: it expired (or was revoked). Say so; the views are gone.
    api.signOut();
    state.info = null;
    ended = "expired";
    render();
  },
});

const ROUTES = {
  "#/security-info": { title: () => t("Security info"), view: securityInfoView },
  "#/recent-activity": { title: () => t("Recent activity"), view: () => activityView({ api, main }) },
  "#/try-sign-in": { title: () => t("Try sign-in"), view: trySignInView },
  "#/reset-password": {
    title: () => t("Reset password"),
    view: () => resetPasswordView({ api, main, loadInfo }),
  },
  [WIZARD_ROUTE]: { title: () => t("Keep your account secure"), view: keepSecureView },
};
const DEFAULT_ROUTE = "#/security-info";

window.addEventListener("hashchange", () => {
  if (api.signedIn) render({ focusMain: true });
});
boot();

async function boot() {
  mountLanguagePicker();
  onLanguageChange(() => {
    if (api.signedIn || ended) render();
  });
  const started = await startSession(main, { appName: appName() });
  client = started.client;
  if (!started.session) return;
  api.baseUrl = client.config.apiUrl;
  api.session = started.session;
  if (!ROUTES[location.hash]) {
    // As the sign-in service would: missing security info is set up before anything else.
    signInInterrupt.clear();
    const interrupt = await wizardNeeded(api, () => mfaStatus(api.session.userId));
    if (interrupt) signInInterrupt.set(api.session.userId);
    history.replaceState(null, "", interrupt ? WIZARD_ROUTE : DEFAULT_ROUTE);
  }
  render({ focusMain: true });
}

// --- shell ---------------------------------------------------------------------------------

function render({ focusMain = false } = {}) {
  document.querySelectorAll("dialog[open]").forEach((d) => d.close());
  if (!api.signedIn) {
    replace(userArea);
    replace(nav);
    if (ended === "signedOut") {
      document.title = `${t("Signed out")} \u2013 ${appName()}`;
      signedOutCard(main, client, { appName: appName() });
    } else {
      document.title = `${t("Session expired")} \u2013 ${appName()}`;
      expiredCard(main, client, { appName: appName() });
    }
    return;
  }
  document.body.classList.remove("signed-out");
  // Registration required at sign-in: the wizard comes first, whatever the address says.
  const interrupted = signInInterrupt.active(api.session.userId);
  const route = interrupted ? WIZARD_ROUTE : ROUTES[location.hash] ? location.hash : DEFAULT_ROUTE;
  if (interrupted && location.hash !== WIZARD_ROUTE) history.replaceState(null, "", WIZARD_ROUTE);
  document.body.classList.toggle("wizard-mode", route === WIZARD_ROUTE);
  renderUser();
  renderNav(route);
  document.title = `${ROUTES[route].title()} \u2013 ${appName()}`;
  ROUTES[route].view();
  if (focusMain) main.focus();
}

function renderUser() {
  const name = api.session.username || t("Signed in");
  replace(
    userArea,
    h(
      "div",
      { class: "user-chip", ...tid("current-user") },
      h("span", { class: "avatar", "aria-hidden": "true" }, initials(name)),
      h("span", { class: "user-name" }, name),
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn btn-link topbar-link",
        ...tid("sign-out"),
        onclick: signOut,
      },
      t("Sign out"),
    ),
  );
}

async function signOut() {
  const session = api.session;
  api.signOut();
  signInInterrupt.clear();
  state.info = null;
  ended = "signedOut";
  clearAnnouncement();
  history.replaceState(null, "", location.pathname);
  // The provider's session ends too, and it sends the browser back to the signed-out card.
  if (!(await client.signOut(session))) render();
}

function renderNav(route) {
  const link = (hash, label, iconName, testid) =>
    h(
      "a",
      { href: hash, class: "nav-link", "aria-current": hash === route ? "page" : null, ...tid(testid) },
      icon(iconName),
      h("span", {}, label),
    );
  replace(
    nav,
    h(
      "ul",
      {},
      h("li", {}, link("#/security-info", t("Security info"), "shield", "nav-security-info")),
      h("li", {}, link("#/recent-activity", t("Recent activity"), "clock", "nav-recent-activity")),
      h("li", {}, link("#/try-sign-in", t("Try sign-in"), "signin", "nav-try-sign-in")),
      h("li", {}, link("#/reset-password", t("Reset password"), "key", "nav-reset-password")),
    ),
  );
}

function initials(name) {
  const parts = String(name).split(/[\s._@-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? "?") + (parts[1]?.[0] ?? "")).toUpperCase();
}

// --- Keep your account secure (the enrollment wizard) ---------------------------------------

function keepSecureView() {
  wizardView({
    api,
    main,
    atSignIn: signInInterrupt.active(api.session.userId),
    onSignOut: signOut,
    onLeave: (how) => {
      signInInterrupt.clear();
      location.hash = DEFAULT_ROUTE;
      if (how === "done") announce(t("Your security info is set up."));
      else if (how === "snoozed") announce(t("You can set up your security info later. We'll ask again when you sign in."));
      else if (how === "nothing") announce(t("Your security info already has what your organization requires."));
    },
  });
}

// --- Security info -------------------------------------------------------------------------

async function loadInfo() {
  state.info = await api.get("/me/security-info");
  return state.info;
}

async function securityInfoView() {
  const content = h("div", { class: "card-body", "aria-busy": "true" }, h("p", { class: "muted loading" }, t("Loading your security info\u2026")));
  replace(
    main,
    h(
      "div",
      { class: "page", ...tid("security-info-view") },
      h("h1", {}, t("Security info")),
      h("p", { class: "page-subtitle" }, t("These are the methods you use to sign into your account or reset your password.")),
      h("div", { id: "registration-banner" }),
      h("section", { class: "card", "aria-label": t("Sign-in methods") }, content),
      h("div", { id: "more-sections", class: "stack" }),
    ),
  );
  try {
    await loadInfo();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    content.removeAttribute("aria-busy");
    replace(
      content,
      h(
        "div",
        { class: "stack load-error" },
        h("p", { class: "notice notice-error", role: "alert", ...tid("load-error") }, describeError(err)),
        h("div", {}, button(t("Try again"), { testid: "load-retry", onClick: () => securityInfoView() })),
      ),
    );
    return;
  }
  if (!main.querySelector("[data-testid=security-info-view]")) return; // navigated away meanwhile
  content.removeAttribute("aria-busy");
  renderSecurityInfo(content);
  renderMoreSections();
}

/** App passwords and remembered devices: each section loads and redraws itself. */
function renderMoreSections() {
  const slot = document.getElementById("more-sections");
  if (!slot) return;
  replace(
    slot,
    recoveryCodesSection({ api, info: state.info, onChange: refreshQuietly }),
    appPasswordsSection({ api, info: state.info }),
    rememberedDevicesSection({ api, info: state.info }),
  );
}

function renderSecurityInfo(content) {
  const info = state.info;
  renderRegistrationBanner(info);
  // The recovery set has its own section below; it is never a default either.
  const methods = (info.methods ?? []).filter((m) => m.type !== "recoveryCodes");
  const mfa = methods.filter((m) => (m.usableFor ?? []).includes("mfa"));
  const current = methods.find((m) => m.id === info.defaultMethodId) ?? null;

  let defaultText;
  if (info.systemPreferred) {
    defaultText = current
      ? t("System-preferred (now {method})", { method: methodName(current) })
      : t("System-preferred");
  } else {
    defaultText = current ? methodName(current) : t("None yet");
  }

  const addButton = h(
    "button",
    { type: "button", class: "btn btn-add", ...tid("add-method") , onclick: () => addMethodDialog() },
    icon("plus", { size: 18 }),
    h("span", {}, t("Add sign-in method")),
  );

  replace(
    content,
    h(
      "div",
      { class: "default-line", ...tid("default-method-line") },
      h("span", { class: "default-label" }, t("Default sign-in method:")),
      h("strong", { ...tid("default-method") }, defaultText),
      mfa.length > 0 &&
        button(t("Change"), { variant: "link", testid: "change-default", onClick: () => changeDefaultDialog(), "aria-label": t("Change default sign-in method") }),
    ),
    h("div", { class: "toolbar" }, addButton),
    methods.length === 0
      ? h(
          "div",
          { class: "empty-state", ...tid("no-methods") },
          h("div", { class: "empty-icon" }, icon("shield", { size: 40 })),
          h("p", { class: "lead" }, t("You have no sign-in methods yet.")),
          h("p", { class: "muted" }, t("Add a method so you can verify it's you when you sign in or reset your password.")),
        )
      : h(
          "ul",
          { class: "method-list", "aria-label": t("Your sign-in methods"), ...tid("method-list") },
          methods.map((m) => methodRow(m)),
        ),
  );
}

function methodRow(method) {
  const meta = [
    t("Added {date}", { date: formatDate(method.createdAt) }),
    method.lastUsedAt ? t("Last used {date}", { date: formatDate(method.lastUsedAt, { withTime: true }) }) : t("Not used yet"),
  ];
  const label = `${typeLabel(method.type)} ${method.displayName}`;
  return h(
    "li",
    { class: "method-row", ...tid("method-row"), "data-method-id": method.id, "data-method-type": method.type },
    h("span", { class: "method-icon" }, methodIcon(method.type, { size: 22 })),
    h(
      "div",
      { class: "method-type" },
      h("span", { class: "method-type-label", ...tid("method-type") }, typeLabel(method.type)),
      h("span", { class: "method-type-detail", ...tid("method-detail") }, typeDetail(method.type, method)),
    ),
    h(
      "div",
      { class: "method-detail" },
      h(
        "span",
        { class: "method-name" },
        h("span", { ...tid("method-name") }, method.displayName),
        method.isDefault && h("span", { class: "badge", ...tid("default-badge") }, t("Default")),
      ),
      h("span", { class: "method-meta" }, meta.join(" \u00b7 ")),
    ),
    h(
      "div",
      { class: "method-actions" },
      moduleFor(method.type)?.edit
        ? button(t("Change"), { variant: "link", testid: "edit-method", "aria-label": t("Change {method}", { method: label }), onClick: () => editDialog(method) })
        : button(t("Change"), { variant: "link", testid: "rename-method", "aria-label": t("Change name of {method}", { method: label }), onClick: () => renameDialog(method) }),
      button(t("Delete"), { variant: "link", testid: "delete-method", class: "btn btn-link btn-link-danger", "aria-label": t("Delete {method}", { method: label }), onClick: () => deleteDialog(method) }),
    ),
  );
}

function renderRegistrationBanner(info) {
  const slot = document.getElementById("registration-banner");
  if (!slot) return;
  const reg = info.registration ?? {};
  if (!reg.required) {
    replace(slot);
    return;
  }
  const missing = (reg.missing ?? []).map(typeLabel);
  replace(
    slot,
    h(
      "div",
      { class: "notice notice-info banner", ...tid("registration-banner") },
      icon("info", { size: 20 }),
      h(
        "div",
        {},
        h("strong", {}, t("Your organization needs more information to keep your account secure.")),
        h(
          "p",
          { ...tid("registration-missing") },
          missing.length
            ? t("Still to set up: {types}.", { types: missing.join(", ") })
            : t("Add another sign-in method to finish setting up your account."),
        ),
      ),
      h("a", { href: WIZARD_ROUTE, class: "btn btn-primary banner-action", ...tid("keep-secure-start") }, t("Keep your account secure")),
    ),
  );
}

/** Re-read the list and redraw it in place (after a change). */
async function refresh() {
  const content = main.querySelector("[data-testid=security-info-view] .card-body");
  await loadInfo();
  if (content) redrawKeepingFocus(content, () => renderSecurityInfo(content), "[data-testid=add-method]");
}

// --- dialogs: add, rename, delete, change default -----------------------------------------

async function addMethodDialog() {
  const dialog = openDialog({ title: t("Add a method"), testid: "add-method-dialog", wide: true });

  const choose = () => {
    dialog.setTitle(t("Add a method"));
    const select = h(
      "select",
      { class: "input", required: true, ...tid("method-type-select") },
      ADDABLE.map((m) => h("option", { value: m.type }, m.label)),
    );
    const summary = h("p", { class: "muted small" }, ADDABLE[0]?.summary ?? "");
    select.addEventListener("change", () => (summary.textContent = moduleFor(select.value)?.summary ?? ""));
    const form = h(
      "form",
      { class: "stack", novalidate: true },
      field({ label: t("Which method would you like to add?"), input: select, id: uniqueId("add-type") }),
      summary,
      h(
        "div",
        { class: "dialog-actions" },
        button(t("Cancel"), { onClick: () => dialog.close(), testid: "add-cancel" }),
        button(t("Add"), { variant: "primary", type: "submit", testid: "add-method-confirm" }),
      ),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      const module = moduleFor(select.value);
      const method = await module.add({ api, dialog, back: choose });
      if (method) dialog.close(method);
    });
    dialog.show(form);
  };

  choose();
  const method = await dialog.result;
  if (method) {
    announce(t("{type} \u201c{name}\u201d was added.", { type: typeLabel(method.type), name: method.displayName }));
  }
  await refreshQuietly();
}

/** The type's own "Change" (a phone: name, text or call, a new number proved by a code). */
async function editDialog(method) {
  const dialog = openDialog({ title: t("Change"), testid: "edit-dialog", wide: true });
  moduleFor(method.type)
    .edit({ api, dialog, method })
    .then((updated) => dialog.close(updated));
  const updated = await dialog.result;
  if (updated) announce(t("{type} \u201c{name}\u201d was updated.", { type: typeLabel(updated.type), name: updated.displayName }));
  await refreshQuietly();
}

async function renameDialog(method) {
  const dialog = openDialog({ title: t("Change name"), testid: "rename-dialog" });
  const input = h("input", { type: "text", class: "input", maxlength: "64", required: true, value: method.displayName, ...tid("rename-input") });
  const error = errorLine("rename-error");
  const save = button(t("Save"), { variant: "primary", type: "submit", testid: "rename-save" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("p", {}, t("Give your {type} a name you'll recognise.", { type: typeLabel(method.type).toLowerCase() })),
    field({ label: t("Name"), input, id: uniqueId("rename"), hint: t("1 to 64 characters.") }),
    error,
    h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close() }), save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const displayName = input.value.trim();
    if (!displayName) {
      error.show(t("Enter a name."));
      input.focus();
      return;
    }
    try {
      const answer = await busy(save, () => api.patch(`/me/methods/${seg(method.id)}`, { displayName }), t("Saving\u2026"));
      dialog.close(answer.method);
    } catch (err) {
      showRefusal(error, err);
    }
  });
  dialog.show(form, { focus: "input" });
  input.select();
  const updated = await dialog.result;
  if (updated) announce(t("Renamed to \u201c{name}\u201d.", { name: updated.displayName }));
  await refreshQuietly();
}

/** What deleting `method` costs, said plainly: the last way to sign in is not like any other. */
function lossNotice(method) {
  const others = (state.info?.methods ?? []).filter((m) => m.id !== method.id && m.type !== "recoveryCodes");
  if (others.length === 0) {
    return h(
      "p",
      { class: "notice notice-warning", ...tid("delete-last-warning") },
      h("strong", {}, t("This is your only sign-in method. ")),
      t("After you delete it, you can't prove who you are with a second step or reset your password yourself, and you'll be asked to set up a new method the next time you sign in."),
    );
  }
  const mfaLeft = others.some((m) => (m.usableFor ?? []).includes("mfa"));
  if (!mfaLeft && (method.usableFor ?? []).includes("mfa")) {
    return h(
      "p",
      { class: "notice notice-warning", ...tid("delete-last-warning") },
      h("strong", {}, t("This is your last method for signing in. ")),
      t("What remains can only reset your password, so you'll be asked to set up a new method the next time you sign in."),
    );
  }
  return method.isDefault && h("p", { class: "muted small" }, t("This is your default method. Your strongest remaining method becomes the default."));
}

async function deleteDialog(method) {
  const deleted = await confirmDialog({
    title: sentence(t("Delete {type}", { type: typeLabel(method.type).toLowerCase() })),
    testid: "delete",
    body: [
      h("p", {}, t("Are you sure you would like to delete this method for your account?")),
      h(
        "div",
        { class: "method-chip" },
        h("span", { class: "method-icon method-icon-small" }, methodIcon(method.type, { size: 18 })),
        h("span", {}, h("strong", {}, typeLabel(method.type)), " \u00b7 ", method.displayName),
      ),
      lossNotice(method),
    ],
    confirmText: t("Delete"),
    busyText: t("Deleting\u2026"),
    call: () => api.delete(`/me/methods/${seg(method.id)}`),
  });
  if (deleted) announce(t("{type} \u201c{name}\u201d was deleted.", { type: typeLabel(method.type), name: method.displayName }));
  await refreshQuietly();
}

async function changeDefaultDialog() {
  const info = state.info;
  const mfa = (info.methods ?? []).filter((m) => m.type !== "recoveryCodes" && (m.usableFor ?? []).includes("mfa"));
  const dialog = openDialog({ title: t("Change default method"), testid: "default-dialog" });
  const SYSTEM = "__system__";
  const select = h(
    "select",
    { class: "input", ...tid("default-select") },
    mfa.map((m) =>
      h("option", { value: m.id, selected: !info.systemPreferred && m.id === info.defaultMethodId }, `${typeLabel(m.type)} \u2013 ${m.displayName}`),
    ),
    h("option", { value: SYSTEM, selected: info.systemPreferred }, t("Always use the most secure method (system-preferred)")),
  );
  const error = errorLine("default-error");
  const confirm = button(t("Confirm"), { variant: "primary", type: "submit", testid: "default-confirm" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    field({ label: t("Which method would you like to use to sign in?"), input: select, id: uniqueId("default") }),
    error,
    h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => dialog.close() }), confirm),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = select.value === SYSTEM ? { systemPreferred: true } : { methodId: select.value };
    try {
      await busy(confirm, () => api.put("/me/default-method", body), t("Saving\u2026"));
      dialog.close(true);
    } catch (err) {
      showRefusal(error, err);
    }
  });
  dialog.show(form, { focus: "select" });
  if (await dialog.result) announce(t("Your default sign-in method was updated."));
  await refreshQuietly();
}

async function refreshQuietly() {
  try {
    await refresh();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    announce(describeError(err), "error");
  }
}

// --- Try sign-in (mfa demo) ---------------------------------------------------------------

async function trySignInView() {
  const panel = promptPage(main, {
    viewTestid: "try-sign-in-view",
    panelTestid: "try-sign-in-panel",
    title: t("Try sign-in"),
    subtitle: t("See what the second step of signing in looks like with your default method."),
    label: t("Sign-in prompt"),
  });
  const info = await loadOrNotice(panel, loadInfo);
  if (!info) return;
  const mfa = (info.methods ?? []).filter((m) => (m.usableFor ?? []).includes("mfa"));
  const intro = () => promptHead(api.session.username, t("Verify your identity"));
  if (mfa.length === 0) {
    replace(
      panel,
      intro(),
      h("p", { ...tid("try-no-method") }, t("You have no method for two-step verification yet.")),
      h("a", { href: "#/security-info", class: "btn btn-primary" }, t("Add a sign-in method")),
    );
    return;
  }
  const showStart = () => {
    replace(
      panel,
      intro(),
      h("p", {}, t("Start a sign-in and answer the prompt as you would on a new device.")),
      h("div", { class: "form-actions" }, button(t("Start sign-in"), { variant: "primary", testid: "try-start", onClick: begin })),
      hasPasskey && h("p", { class: "muted small" }, t("Or sign in without a username or password, as the sign-in page offers:")),
      hasPasskey && h("div", { class: "form-actions" }, passkeyButton()),
      passkeyError,
    );
  };
  // t("Sign in with a passkey"): the sign-in service's usernameless check (POST /signin/passkey/*),
  // which finds the account from the passkey the browser offers.
  const hasPasskey = mfa.some((m) => m.type === "securityKey" && m.passkey) && webAuthnSupported();
  const passkeyError = errorLine("try-passkey-error");
  const passkeyButton = () => {
    const go = button(t("Sign in with a passkey"), { testid: "try-passkey" });
    go.addEventListener("click", () =>
      busy(go, async () => {
        passkeyError.clear();
        let started;
        let credential;
        try {
          started = await passkeyOptions();
          credential = await navigator.credentials.get({ publicKey: requestOptions(started.publicKey) });
        } catch (err) {
          passkeyError.show(err?.name ? browserError(err) : t("The sign-in service could not start a passkey sign-in. Try again."));
          return;
        }
        let proved;
        try {
          proved = await passkeyVerify(started.challengeId, credentialJson(credential));
        } catch (err) {
          passkeyError.show(err.status === 423 ? describeError({ status: 423, retryAfter: null }) : err.message);
          return;
        }
        const method = (info.methods ?? []).find((m) => m.id === proved.methodId);
        const mine = proved.userId === api.session.userId;
        replace(
          panel,
          intro(),
          h(
            "div",
            { class: "stack", ...tid("try-passkey-approved") },
            h("div", { class: "success-mark", "aria-hidden": "true" }, icon("check", { size: 28 })),
            h(
              "p",
              { class: "lead", role: "status" },
              mine
                ? t("You're signed in with your passkey \u201c{name}\u201d, without a username or password.", { name: method?.displayName ?? t("passkey") })
                : t("That passkey belongs to another account: the sign-in service would sign that account in."),
            ),
            h("p", { class: "muted small" }, proved.userVerified ? t("Your PIN or biometric was checked.") : t("Your PIN or biometric was not checked.")),
            h("div", { class: "form-actions" }, button(t("Try again"), { testid: "try-again", onClick: showStart })),
          ),
        );
        panel.querySelector("button")?.focus();
        announce(t("Signed in with a passkey."));
      }, t("Waiting for your passkey\u2026")),
    );
    return go;
  };
  // As the sign-in service would: a remembered device (a token kept on this device from "Don't
  // ask again") skips the second step.
  const begin = async () => {
    let status = null;
    try {
      status = await mfaStatus(api.session.userId);
    } catch {
      status = null; // no answer: ask for the second step, as for a new device
    }
    if (status && !status.mfaRequired && !status.locked) showRemembered();
    else verify();
  };
  const showRemembered = () => {
    replace(
      panel,
      intro(),
      h(
        "div",
        { class: "stack", ...tid("try-remembered") },
        h("div", { class: "success-mark", "aria-hidden": "true" }, icon("check", { size: 28 })),
        h("p", { class: "lead", role: "status" }, t("You're signed in. This device is remembered, so the second step was skipped.")),
        h(
          "div",
          { class: "form-actions" },
          button(t("Try again"), { testid: "try-again", onClick: showStart }),
          button(t("Sign in as a new device"), {
            testid: "try-as-new-device",
            onClick: () => {
              dropRememberedToken(api.session.userId);
              verify();
            },
          }),
        ),
      ),
    );
    panel.querySelector("button")?.focus();
    announce(t("Signed in without the second step."));
  };
  const verify = () =>
    runVerification({
      api,
      purpose: "mfa",
      methods: mfa,
      testid: "try",
      rememberDeviceDays: info.rememberDeviceDays ?? 0,
      show: (nodes, { focus = "input, select, button" } = {}) => {
        replace(panel, intro(), nodes);
        panel.querySelector(focus)?.focus();
      },
      onApproved: (answer) => {
        if (answer.rememberDeviceToken) keepRememberedToken(api.session.userId, answer.rememberDeviceToken);
        replace(
          panel,
          intro(),
          h(
            "div",
            { class: "stack", ...tid("try-approved") },
            h("div", { class: "success-mark", "aria-hidden": "true" }, icon("check", { size: 28 })),
            h("p", { class: "lead", role: "status" }, t("Approved. You're signed in.")),
            answer.rememberDeviceToken && h("p", { class: "muted small" }, t("This device will not be asked again until the remembered period ends.")),
            h("div", { class: "form-actions" }, button(t("Try again"), { testid: "try-again", onClick: showStart })),
          ),
        );
        panel.querySelector("button")?.focus();
        announce(t("Sign-in approved."));
      },
    });
  showStart();
}
