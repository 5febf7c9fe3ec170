// The administrator's page: the organization's policy (one form, validated by the server, which
// names the field it refuses), and a user's security info with the resets: clear security info,
// delete app passwords, forget remembered devices, issue a temporary access pass, unlock; and the
// hardware OATH tokens (hardware-tokens.js).

import { Api, ApiError, seg } from "./api.js";
import { h, replace, tid } from "./dom.js";
import { describeError, formatDate, formatNumber, groupInFours, typeLabel } from "./format.js";
import { hardwareTokensSection } from "./hardware-tokens.js";
import { mountLanguagePicker, onLanguageChange, t } from "./i18n.js";
import { expiredCard, signedOutCard, startSession } from "./oidc.js";
import { announce, busy, button, clearAnnouncement, errorLine, field, openDialog, uniqueId } from "./ui.js";


const main = document.getElementById("main");
const userArea = document.getElementById("user-area");

// A function: the name is shown in the language chosen now.
const appName = () => t("Security info administration");
let ended = null; // null | "expired" | "signedOut"
let client = null;

// The policy form's names of the types (the service's labels, GET /admin/method-types, in English).
const ADMIN_TYPE_LABELS = {
  authenticatorApp: () => t("Authenticator app (push and codes)"),
  softwareOath: () => t("Other authenticator app (TOTP)"),
  phone: () => t("Phone (text or call)"),
  email: () => t("Email"),
  securityKey: () => t("Security key or passkey"),
  securityQuestions: () => t("Security questions"),
  recoveryCodes: () => t("Recovery codes"),
};

const api = new Api({
  unauthorized: () => {
    api.signOut();
    ended = "expired";
    render();
  },
});

boot();

// The administrator signs in on this page with its own tokens (in memory, like every page's).
async function boot() {
  mountLanguagePicker();
  onLanguageChange(() => {
    if (api.session || ended) render();
  });
  const started = await startSession(main, { appName: appName() });
  client = started.client;
  if (!started.session) return;
  api.baseUrl = client.config.apiUrl;
  api.session = started.session;
  render();
}

async function signOut() {
  const session = api.session;
  api.signOut();
  ended = "signedOut";
  clearAnnouncement();
  if (!(await client.signOut(session))) render();
}

function render() {
  if (!api.session) {
    replace(userArea);
    if (ended === "signedOut") signedOutCard(main, client, { appName: appName() });
    else expiredCard(main, client, { appName: appName() });
    return;
  }
  document.body.classList.remove("signed-out");
  replace(
    userArea,
    h("div", { class: "user-chip", ...tid("current-user") }, h("span", { class: "user-name" }, api.session.username)),
    h("button", { type: "button", class: "btn btn-link topbar-link", ...tid("sign-out"), onclick: signOut }, t("Sign out")),
  );
  const policyCard = h("section", { class: "card", "aria-labelledby": "policy-title", ...tid("policy-card") });
  const usersCard = h("section", { class: "card", "aria-labelledby": "users-title", ...tid("users-card") });
  const tokensCard = h("section", { class: "card", "aria-labelledby": "hwtokens-title", ...tid("hwtokens-card") });
  replace(
    main,
    h(
      "div",
      { class: "page stack", ...tid("admin-view") },
      h("h1", {}, t("Security info administration")),
      usersCard,
      tokensCard,
      policyCard,
    ),
  );
  policySection(policyCard);
  usersSection(usersCard);
  hardwareTokensSection(tokensCard, { api, resolveUser });
}

// --- policy --------------------------------------------------------------------------------

async function policySection(card) {
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, t("Loading the policy\u2026")));
  replace(card, body);
  let policy, methodTypes;
  try {
    // The types and their names come from the service, which declares each type once.
    [policy, { methodTypes }] = await Promise.all([api.get("/admin/policy"), api.get("/admin/method-types")]);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    replace(body, h("p", { class: "notice notice-error", role: "alert", ...tid("policy-load-error") }, describeError(err)));
    return;
  }
  renderPolicyForm(body, policy, methodTypes);
}

function renderPolicyForm(body, policy, methodTypes) {
  const inputs = new Map(); // policy path -> element (for highlighting the field the server names)
  const number = (path, label, hint) => {
    const input = h("input", { type: "number", class: "input", step: "1", value: String(get(policy, path)), "data-field": path, ...tid(`policy-${path}`) });
    inputs.set(path, input);
    return field({ label, input, id: uniqueId("policy"), hint });
  };
  const check = (path, label) => {
    const input = h("input", { type: "checkbox", checked: Boolean(get(policy, path)), "data-field": path, ...tid(`policy-${path}`) });
    inputs.set(path, input);
    const id = uniqueId("policy");
    input.id = id;
    return h("div", { class: "checkbox" }, input, h("label", { for: id }, label));
  };
  const typeBoxes = (path, legend) => {
    const chosen = new Set(get(policy, path));
    const boxes = methodTypes.map(({ type, label: serverLabel }) => {
      // The service names the types in English; the page names the ones it knows in its language.
      const label = ADMIN_TYPE_LABELS[type]?.() ?? serverLabel;
      const id = uniqueId("policy");
      const input = h("input", { type: "checkbox", id, value: type, checked: chosen.has(type), ...tid(`policy-${path}-${type}`) });
      return h("div", { class: "checkbox" }, input, h("label", { for: id }, label));
    });
    const set = h("fieldset", { "data-field": path, ...tid(`policy-${path}`) }, h("legend", {}, legend), boxes);
    inputs.set(path, set);
    return set;
  };
  const questionIds = new Map(policy.securityQuestions.questions.map((q) => [q.text, q.questionId]));
  const questions = h(
    "textarea",
    { class: "input textarea", rows: "8", "data-field": "securityQuestions.questions", ...tid("policy-questions") },
  );
  questions.value = policy.securityQuestions.questions.map((q) => q.text).join("\n");
  inputs.set("securityQuestions.questions", questions);
  const sspr = h(
    "select",
    { class: "input", "data-field": "ssprMethodsRequired", ...tid("policy-ssprMethodsRequired") },
    [1, 2].map((n) => h("option", { value: String(n), selected: policy.ssprMethodsRequired === n }, t("{count} methods", { count: n }))),
  );
  inputs.set("ssprMethodsRequired", sspr);
  const choice = (path, label, options, hint) => {
    const input = h(
      "select",
      { class: "input", "data-field": path, ...tid(`policy-${path}`) },
      options.map(([value, text]) => h("option", { value, selected: get(policy, path) === value }, text)),
    );
    inputs.set(path, input);
    return field({ label, input, id: uniqueId("policy"), hint });
  };
  // Lists typed one item per line (AAGUIDs) or pasted as PEM blocks (trusted roots): read on save.
  const texts = new Map();
  const lines = (path, label, hint, { rows = "3", pem = false } = {}) => {
    const input = h("textarea", { class: "input textarea", rows, spellcheck: "false", "data-field": path, ...tid(`policy-${path}`) });
    input.value = pem ? get(policy, path).map((c) => c.trim()).join("\n") : get(policy, path).join("\n");
    texts.set(path, pem ? readPems : readLines);
    inputs.set(path, input);
    return field({ label, input, id: uniqueId("policy"), hint });
  };

  const error = errorLine("policy-error");
  const save = button(t("Save policy"), { variant: "primary", type: "submit", testid: "policy-save" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid("policy-form") },
    h("h2", { id: "policy-title", class: "section-title" }, t("Policy")),
    h(
      "div",
      { class: "admin-grid" },
      typeBoxes("enabledMethodTypes", t("Methods users may register")),
      h(
        "fieldset",
        {},
        h("legend", {}, t("App passwords")),
        check("appPasswords.enabled", t("Allow app passwords")),
        check("appPasswords.required", t("Require an app password in \u201cKeep your account secure\u201d")),
        h("p", { class: "field-hint" }, t("For apps that cannot do two-step verification. At most 40 per user.")),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, t("Sign-in")),
        number("rememberDeviceDays", t("Remember devices for (days)"), t("\u201cDon't ask again\u201d: 1 to 365 days; 0 turns it off.")),
        number("stepUpMinutes", t("Step-up is valid for (minutes)")),
        number("lockout.threshold", t("Lock after this many failed attempts")),
        number("lockout.minutes", t("Lock for (minutes)")),
        number("activityDays", t("Keep Recent activity for (days)"), t("What users (and you) see of their activity: 1 to 365 days.")),
      ),
      typeBoxes("registration.requiredTypes", t("Required at registration")),
      h(
        "fieldset",
        {},
        h("legend", {}, t("Keep your account secure")),
        number("registration.requiredCount", t("Methods required in all")),
        check("registration.offerDifferentMethod", t("Offer \u201cI want to set up a different method\u201d")),
        number("registration.snoozeDays", t("\u201cSkip for now\u201d for (days)"), t("0 to 14; 0 means it can't be skipped.")),
        number("registration.maxSnoozes", t("Skips allowed")),
        number("wizardStepMinutes", t("Minutes to finish a step")),
        check("registration.bootstrapRequiresTemporaryAccessPass", t("A first method needs a temporary access pass")),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, t("Password reset")),
        field({ label: t("Methods needed to reset a password"), input: sspr, id: uniqueId("policy") }),
        number("securityQuestions.registerCount", t("Security questions to register")),
        number("securityQuestions.answerCount", t("Security questions to answer at reset")),
      ),
      h(
        "fieldset",
        { ...tid("policy-security-key") },
        h("legend", {}, t("Security keys and passkeys")),
        choice("securityKey.userVerification", t("User verification (PIN or biometric)"), [
          ["required", t("Required")],
          ["preferred", t("Preferred")],
          ["discouraged", t("Discouraged")],
        ]),
        choice("securityKey.attestation", t("Attestation"), [
          ["none", t("Not required")],
          ["required", t("Required: must chain to a trusted root")],
        ], t("Required: only keys whose vendor's root certificate is listed below can be registered.")),
        check("securityKey.allowSynced", t("Allow synced passkeys (password managers, phones)")),
        lines("securityKey.allowedAaguids", t("Allowed key models (AAGUIDs, one per line)"), t("Empty: every model not blocked.")),
        lines("securityKey.blockedAaguids", t("Blocked key models (AAGUIDs, one per line)")),
        lines("securityKey.trustedRoots", t("Trusted root certificates (PEM)"), t("The key vendors' attestation roots, one PEM block after another."), { rows: "5", pem: true }),
      ),
      h(
        "fieldset",
        {},
        h("legend", {}, t("Temporary access pass")),
        number("temporaryAccessPass.defaultLifetimeMinutes", t("Default lifetime (minutes)")),
        number("temporaryAccessPass.maxLifetimeMinutes", t("Longest lifetime (minutes)")),
      ),
    ),
    field({ label: t("Security questions offered (one per line)"), input: questions, id: uniqueId("policy"), hint: t("At least 10 while security questions are enabled.") }),
    error,
    h("div", { class: "form-actions" }, save),
  );

  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    for (const el of form.querySelectorAll(".field-invalid")) {
      el.classList.remove("field-invalid");
      el.removeAttribute("aria-invalid");
      const kept = (el.getAttribute("aria-describedby") ?? "").split(" ").filter((id) => id && !id.startsWith("policy-field-error"));
      if (kept.length) el.setAttribute("aria-describedby", kept.join(" "));
      else el.removeAttribute("aria-describedby");
    }
    for (const el of form.querySelectorAll("[data-testid=policy-field-error]")) el.remove();
    error.clear();
    const doc = structuredClone(policy);
    for (const [path, el] of inputs) {
      if (texts.has(path)) {
        set(doc, path, texts.get(path)(el.value));
      } else if (el.tagName === "FIELDSET") {
        set(doc, path, [...el.querySelectorAll("input:checked")].map((i) => i.value));
      } else if (el.type === "checkbox") {
        set(doc, path, el.checked);
      } else if (el.type === "number" || el.tagName === "SELECT") {
        const n = Number(el.value);
        // Anything that is not a whole number goes as typed: the server names the field.
        set(doc, path, el.value.trim() !== "" && Number.isInteger(n) ? n : el.value);
      }
    }
    doc.securityQuestions.questions = readQuestions(questions.value, questionIds);
    try {
      policy = await busy(save, () => api.put("/admin/policy", doc), t("Saving\u2026"));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      const target = fieldElement(inputs, err.field);
      if (!target) {
        error.show(err);
        return;
      }
      // The message goes beside the field it is about (by its label, never the policy's key); the
      // line by Save only points there.
      const holder = target.closest(".field, .checkbox") ?? target;
      const inline = errorLine("policy-field-error");
      inline.id = uniqueId("policy-field-error");
      inline.show(err);
      holder.append(inline);
      target.classList.add("field-invalid");
      target.setAttribute("aria-invalid", "true");
      target.setAttribute("aria-describedby", [target.getAttribute("aria-describedby"), inline.id].filter(Boolean).join(" "));
      error.show(t("The policy was not saved. Fix \u201c{field}\u201d and save again.", { field: labelOf(target) }));
      const focusable = target.querySelector?.("input") ?? target;
      focusable.focus();
      holder.scrollIntoView({ block: "center" });
      return;
    }
    announce(t("The policy was saved."));
    renderPolicyForm(form.parentElement, policy, methodTypes);
  });
  replace(body, form);
}

const readLines = (text) => text.split("\n").map((line) => line.trim()).filter(Boolean);

/** Every PEM block pasted, each as its own certificate (the server checks each one). */
function readPems(text) {
  const blocks = text.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? [];
  const rest = text.replace(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g, "").trim();
  // Text that is no certificate goes as typed, so the server names it.
  return [...blocks.map((b) => `${b.trim()}\n`), ...(rest ? [rest] : [])];
}

/** One question per line; a known text keeps its id, so users' registered answers stay valid. */
function readQuestions(text, knownIds) {
  const used = new Set(knownIds.values());
  let next = 1;
  const freshId = () => {
    while (used.has(`q${next}`)) next += 1;
    used.add(`q${next}`);
    return `q${next}`;
  };
  return text
    .split("\n")
    .map((line) => line.trim())
    .filter(Boolean)
    .map((line) => ({ questionId: knownIds.get(line) ?? freshId(), text: line }));
}

/** The words a person sees for a policy control: its label, or its fieldset's legend. */
function labelOf(el) {
  if (el.tagName === "FIELDSET") return el.querySelector("legend")?.textContent ?? "";
  const label = el.id ? el.ownerDocument.querySelector(`label[for="${el.id}"]`) : null;
  return (label ?? el.closest("fieldset")?.querySelector("legend"))?.textContent ?? "";
}

function fieldElement(inputs, path) {
  if (!path) return null;
  const clean = path.replace(/\[\d+\].*$/, "");
  for (let p = clean; p; p = p.includes(".") ? p.slice(0, p.lastIndexOf(".")) : "") {
    if (inputs.has(p)) return inputs.get(p);
  }
  return null;
}

function get(doc, path) {
  return path.split(".").reduce((value, key) => value?.[key], doc);
}

function set(doc, path, value) {
  const keys = path.split(".");
  const last = keys.pop();
  keys.reduce((value, key) => value[key], doc)[last] = value;
}

// --- users ---------------------------------------------------------------------------------

function usersSection(card) {
  const input = h("input", { type: "text", class: "input", required: true, maxlength: "128", spellcheck: "false", ...tid("user-lookup-input") });
  const error = errorLine("user-lookup-error");
  const find = button(t("Look up"), { variant: "primary", type: "submit", testid: "user-lookup" });
  const result = h("div", { class: "stack", ...tid("user-result") });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("h2", { id: "users-title", class: "section-title" }, t("Users")),
    field({ label: t("User ID"), input, id: uniqueId("lookup"), hint: t("The user's id from the identity provider. Local demo: a username works too.") }),
    error,
    h("div", { class: "form-actions" }, find),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.clear();
    const value = input.value.trim();
    if (!value) {
      error.show(t("Enter a user ID."));
      input.focus();
      return;
    }
    try {
      const userId = await busy(find, () => resolveUser(value), t("Looking up\u2026"));
      await showUser(result, userId);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      replace(result);
      error.show(err);
    }
  });
  replace(card, h("div", { class: "card-body stack" }, form, result));
}

/** A user id as given, or (local demo only) the id of a demo username. */
async function resolveUser(value) {
  if (/^u-[0-9a-f]{20}$/.test(value) || !/^[A-Za-z0-9._@-]{1,64}$/.test(value)) return value;
  try {
    const answer = await api.request("POST", "/local/token", { body: { username: value }, auth: false });
    return answer.userId;
  } catch (err) {
    if (err instanceof ApiError && err.status === 404) return value; // not the local runtime
    throw err;
  }
}

async function showUser(slot, userId) {
  const info = await api.get(`/admin/users/${seg(userId)}/security-info`);
  if (info.known === false) {
    // Nothing stored for this id: a typo looks exactly like this, so no empty record is drawn.
    replace(
      slot,
      h(
        "div",
        { class: "notice notice-warning", role: "status", ...tid("user-unknown") },
        h("p", {}, h("strong", {}, t("No security info for ")), h("code", {}, userId)),
        h("p", {}, t("Check the ID for a typo. If it is right, this user has never signed in to Security info or set up a method; they will be asked to register when they first sign in.")),
      ),
    );
    return;
  }
  const reload = () => showUser(slot, userId).catch((err) => announce(describeError(err), "error"));
  const methods = info.methods ?? [];
  const lockout = info.lockout ?? {};
  const tap = info.temporaryAccessPass;
  const action = (text, testid, run, options = {}) => button(text, { testid, onClick: () => run(userId, reload), ...options });
  replace(
    slot,
    h(
      "div",
      { class: "stack", ...tid("user-panel"), "data-user-id": userId },
      h("h3", {}, t("User "), h("code", { ...tid("user-id") }, userId)),
      h(
        "dl",
        { class: "details" },
        h("dt", {}, t("Registration")),
        h(
          "dd",
          { ...tid("user-registration") },
          info.registration?.required
            ? info.registration.missing?.length
              ? t("Must register at next sign-in (missing: {types})", { types: info.registration.missing.map(typeLabel).join(", ") })
              : t("Must register at next sign-in")
            : t("Complete"),
        ),
        h("dt", {}, t("App passwords")),
        h("dd", { ...tid("user-app-passwords") }, t("{count} of {limit}", { count: info.appPasswords?.count ?? 0, limit: info.appPasswords?.limit ?? 40 })),
        h("dt", {}, t("Remembered devices")),
        h("dd", { ...tid("user-devices") }, formatNumber((info.rememberedDevices ?? []).length)),
        h("dt", {}, t("Lockout")),
        h("dd", { ...tid("user-lockout") }, lockout.locked ? t("Locked until {date}", { date: formatDate(lockout.lockedUntil, { withTime: true }) }) : t("Not locked ({count} recent failures)", { count: lockout.failedCount ?? 0 })),
        h("dt", {}, t("Risk")),
        h(
          "dd",
          { ...tid("user-risk") },
          info.riskState === "atRisk"
            ? info.riskSince
              ? t("At risk: the user reported activity that wasn't them ({date})", { date: formatDate(info.riskSince, { withTime: true }) })
              : t("At risk: the user reported activity that wasn't them")
            : t("None"),
        ),
        h("dt", {}, t("Temporary access pass")),
        h(
          "dd",
          { ...tid("user-tap") },
          tap
            ? tap.singleUse
              ? t("Active until {date}, single use", { date: formatDate(tap.expiresAt, { withTime: true }) })
              : t("Active until {date}", { date: formatDate(tap.expiresAt, { withTime: true }) })
            : t("None"),
        ),
      ),
      methods.length === 0
        ? h("p", { class: "muted", ...tid("user-no-methods") }, t("No sign-in methods."))
        : h(
            "ul",
            { class: "method-list", "aria-label": t("The user's methods"), ...tid("user-methods") },
            methods.map((m) =>
              h(
                "li",
                { class: "method-row row-plain", ...tid("user-method") },
                h("span", {}, m.isDefault ? "\u2605" : ""),
                h("span", {}, h("strong", {}, typeLabel(m.type)), " \u00b7 ", m.displayName, maskedDetail(m)),
                h("span", { class: "method-meta" }, t("Added {date}", { date: formatDate(m.createdAt) })),
              ),
            ),
          ),
      h(
        "div",
        { class: "form-actions admin-actions" },
        action(t("Require re-registration"), "clear-security-info", clearDialog, { variant: "danger" }),
        action(t("Delete app passwords"), "delete-user-app-passwords", (id, done) =>
          confirmAction({
            title: t("Delete all app passwords"),
            text: t("Every app that signs in with one of this user's app passwords stops working."),
            call: () => api.delete(`/admin/users/${seg(id)}/app-passwords`),
            done: t("The user's app passwords were deleted."),
            reload: done,
          }),
        ),
        action(t("Forget remembered devices"), "forget-user-devices", (id, done) =>
          confirmAction({
            title: t("Forget remembered devices"),
            text: t("Every device where the user chose \u201cDon't ask again\u201d asks for the second step again."),
            call: () => api.delete(`/admin/users/${seg(id)}/remembered-devices`),
            done: t("The user's remembered devices were forgotten."),
            reload: done,
          }),
        ),
        action(t("Issue temporary access pass"), "issue-tap", tapDialog),
        action(t("Unlock"), "unlock-user", (id, done) =>
          confirmAction({
            title: t("Unlock"),
            text: t("The user can verify again at once."),
            call: () => api.post(`/admin/users/${seg(id)}/unlock`),
            done: t("The user was unlocked."),
            reload: done,
          }), { disabled: !lockout.locked }),
        action(t("Dismiss risk"), "dismiss-risk", (id, done) =>
          confirmAction({
            title: t("Dismiss risk"),
            text: t("You reviewed what the user reported: the sign-in service no longer sees them as at risk."),
            call: () => api.post(`/admin/users/${seg(id)}/risk/dismiss`),
            done: t("The user's risk was dismissed."),
            reload: done,
          }), { disabled: info.riskState !== "atRisk" }),
      ),
      h("h4", {}, t("Recent activity")),
      userActivity(userId),
    ),
  );
}

/** The user's latest activity as they see it (the first page; reported entries are marked). */
function userActivity(userId) {
  const list = h("ul", { class: "method-list", "aria-label": t("The user's recent activity"), ...tid("user-activity") });
  api
    .get(`/admin/users/${seg(userId)}/activity?limit=10`)
    .then((page) => {
      const entries = page.activity ?? [];
      replace(
        list,
        entries.length === 0
          ? h("li", { class: "muted" }, t("No recent activity."))
          : entries.map((e) =>
              h(
                "li",
                { class: "method-row row-plain", ...tid("user-activity-row") },
                h("span", {}, e.reported ? "\u26a0" : ""),
                h("span", {}, e.summary, e.reported ? h("strong", {}, t(" (reported)")) : null),
                h("span", { class: "method-meta" }, [formatDate(e.occurredAt, { withTime: true }), e.device, e.sourceIp].filter(Boolean).join(" \u00b7 ")),
              ),
            ),
      );
    })
    .catch((err) => {
      if (!(err instanceof ApiError)) throw err;
      replace(list, h("li", { class: "notice notice-error" }, describeError(err)));
    });
  return list;
}

function maskedDetail(method) {
  const detail = method.phoneNumber ?? method.emailAddress ?? method.deviceName ?? method.serialNumber ?? null;
  return detail ? ` (${detail})` : "";
}

function clearDialog(userId, reload) {
  return confirmAction({
    title: t("Require re-registration"),
    text: t("All of this user's sign-in methods, app passwords and remembered devices are removed. They must register again at their next sign-in."),
    call: () => api.delete(`/admin/users/${seg(userId)}/security-info`),
    done: t("The user's security info was cleared; they register again at next sign-in."),
    confirmText: t("Clear security info"),
    reload,
  });
}

async function confirmAction({ title, text, call, done, reload, confirmText = t("Confirm") }) {
  const dialog = openDialog({ title, testid: "admin-confirm-dialog" });
  const error = errorLine("admin-confirm-error");
  const confirm = button(confirmText, { variant: "danger", testid: "admin-confirm" });
  confirm.addEventListener("click", async () => {
    try {
      await busy(confirm, call, t("Working\u2026"));
      dialog.close(true);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error.show(err);
    }
  });
  dialog.show(
    h("div", { class: "stack" }, h("p", {}, text), error, h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close(), testid: "admin-cancel" }), confirm)),
    { focus: "[data-testid=admin-cancel]" },
  );
  if (await dialog.result) {
    announce(done);
    await reload();
  }
}

async function tapDialog(userId, reload) {
  const dialog = openDialog({ title: t("Issue temporary access pass"), testid: "tap-dialog" });
  const minutes = h("input", { type: "number", class: "input", min: "10", step: "1", placeholder: t("Policy default"), ...tid("tap-minutes") });
  const single = h("input", { type: "checkbox", checked: true, id: uniqueId("tap-single"), ...tid("tap-single-use") });
  const error = errorLine("tap-error");
  const issue = button(t("Issue"), { variant: "primary", type: "submit", testid: "tap-issue" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("p", {}, t("The pass lets the user verify their identity (step-up) or set up a first method, without their other methods. A new pass replaces an earlier one.")),
    field({ label: t("Lifetime in minutes"), input: minutes, id: uniqueId("tap-lifetime"), hint: t("Leave empty for the policy's default.") }),
    h("div", { class: "checkbox" }, single, h("label", { for: single.id }, t("One use only"))),
    error,
    h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close() }), issue),
  );
  let issued = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { singleUse: single.checked };
    if (minutes.value.trim()) body.lifetimeMinutes = Number.isInteger(Number(minutes.value)) ? Number(minutes.value) : minutes.value;
    try {
      issued = await busy(issue, () => api.post(`/admin/users/${seg(userId)}/temporary-access-pass`, body), t("Issuing\u2026"));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error.show(err);
      return;
    }
    dialog.setTitle(t("Temporary access pass"));
    dialog.show(
      h(
        "div",
        { class: "stack" },
        h("p", {}, issued.singleUse
          ? t("Give this pass to the user. It works until {date}, once.", { date: formatDate(issued.expiresAt, { withTime: true }) })
          : t("Give this pass to the user. It works until {date}.", { date: formatDate(issued.expiresAt, { withTime: true }) })),
        h("p", { class: "password-box" }, h("code", { class: "secret", ...tid("tap-value") }, groupInFours(issued.temporaryAccessPass))),
        h("p", { class: "notice notice-warning" }, t("It is shown only now.")),
        h("div", { class: "dialog-actions" }, button(t("Done"), { variant: "primary", testid: "tap-done", onClick: () => dialog.close(true) })),
      ),
      { focus: "[data-testid=tap-done]" },
    );
  });
  dialog.show(form, { focus: "input" });
  await dialog.result;
  if (issued) {
    announce(t("A temporary access pass was issued."));
    await reload();
  }
}
