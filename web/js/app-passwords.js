// "App passwords" on the Security info page: for apps that cannot do two-step verification.
// Create (name -> the password, shown once, in groups of four, with Copy) -> list -> delete.

import { seg } from "./api.js";
import { h, redrawKeepingFocus, replace, tid } from "./dom.js";
import { formatDate, groupInFours } from "./format.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { dangerLink, plainRow } from "./rows.js";
import { announce, busy, button, confirmDialog, errorLine, field, loadOrNotice, openDialog, showRefusal, uniqueId } from "./ui.js";

/**
 * The section, filled once the list is loaded. Shown when the organization allows app passwords,
 * or when the user still has some (so they can delete them). `onChange` runs after a create/delete.
 */
export function appPasswordsSection({ api, info, onChange = () => {} }) {
  const section = h("section", { class: "card", "aria-labelledby": "app-passwords-title", ...tid("app-passwords") });
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, t("Loading app passwords\u2026")));
  section.append(body);
  const enabled = Boolean(info.appPasswords?.enabled);
  if (!enabled && !(info.appPasswords?.count > 0)) {
    section.hidden = true;
    return section;
  }

  const load = async () => {
    const answer = await loadOrNotice(body, () => api.get("/me/app-passwords"));
    if (answer) render(answer);
  };

  const changed = async () => {
    await load();
    onChange();
  };

  const render = ({ appPasswords: items = [], limit = 40, enabled: allowed = enabled }) => {
    const full = items.length >= limit;
    const create = h(
      "button",
      {
        type: "button",
        class: "btn btn-add",
        disabled: full || !allowed,
        "aria-describedby": "app-passwords-usage",
        ...tid("create-app-password"),
        onclick: () => createDialog(api, changed),
      },
      icon("plus", { size: 18 }),
      h("span", {}, t("Create app password")),
    );
    redrawKeepingFocus(body, () => replace(
      body,
      h("h2", { id: "app-passwords-title", class: "section-title" }, t("App passwords")),
      h(
        "p",
        { class: "muted" },
        t("Some apps, such as older versions of Outlook, can't ask for a second verification step. "),
        t("Sign in to those apps with an app password instead of your regular password."),
      ),
      h(
        "p",
        { id: "app-passwords-usage", class: "small", ...tid("app-passwords-usage") },
        full
          ? t("You have {count} of {limit} app passwords, the most you can have. Delete one you no longer use to create another.", { count: items.length, limit })
          : t("You can have up to {limit} app passwords ({count} used).", { count: items.length, limit }),
        !allowed ? t(" Your organization no longer allows app passwords; the ones below don't work anymore.") : "",
      ),
      h("div", { class: "toolbar" }, create),
      items.length === 0
        ? h("p", { class: "muted", ...tid("no-app-passwords") }, t("You have no app passwords."))
        : h(
            "ul",
            { class: "method-list", "aria-label": t("Your app passwords"), ...tid("app-password-list") },
            items.map((item) => row(api, item, changed)),
          ),
    ), "[data-testid=create-app-password]");
  };

  load();
  return section;
}

function row(api, item, changed) {
  const meta = [
    t("Created {date}", { date: formatDate(item.createdAt) }),
    item.lastUsedAt ? t("Last used {date}", { date: formatDate(item.lastUsedAt, { withTime: true }) }) : t("Not used yet"),
  ];
  return plainRow({
    testid: "app-password-row",
    data: { "data-app-password-id": item.id },
    iconName: "key",
    name: item.name,
    nameTestid: "app-password-name",
    meta,
    action: dangerLink(t("Delete"), {
      testid: "delete-app-password",
      label: t("Delete app password {name}", { name: item.name }),
      onClick: () => deleteDialog(api, item, changed),
    }),
  });
}

async function createDialog(api, changed) {
  const dialog = openDialog({ title: t("Create app password"), testid: "app-password-dialog" });
  const input = h("input", {
    type: "text",
    class: "input",
    maxlength: "64",
    required: true,
    autocomplete: "off",
    ...tid("app-password-name-input"),
  });
  const error = errorLine("app-password-error");
  const next = button(t("Next"), { variant: "primary", type: "submit", testid: "app-password-next" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("p", {}, t("Give the app password a name that tells you which app uses it.")),
    field({ label: t("Name"), input, id: uniqueId("app-password-name"), hint: t("1 to 64 characters, for example \u201cOutlook on my laptop\u201d.") }),
    error,
    h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close() }), next),
  );
  let created = null;
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const name = input.value.trim();
    if (!name) {
      error.show(t("Enter a name."));
      input.setAttribute("aria-invalid", "true");
      input.focus();
      return;
    }
    error.clear();
    try {
      created = await busy(next, () => api.post("/me/app-passwords", { name }, { idempotent: true }), t("Creating\u2026"));
    } catch (err) {
      showRefusal(error, err);
      return;
    }
    showPassword(dialog, created);
  });
  dialog.show(form, { focus: "input" });
  await dialog.result;
  // The password was only ever in this dialog's DOM, which is gone now.
  if (created) {
    announce(t("App password \u201c{name}\u201d was created.", { name: created.name }));
    await changed();
  }
}

function showPassword(dialog, created) {
  dialog.setTitle(t("Your new app password"));
  const copy = button(t("Copy password"), { testid: "app-password-copy" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(created.password);
      copy.textContent = t("Copied");
    } catch {
      copy.textContent = t("Select the password and copy it");
    }
  });
  dialog.show(
    h(
      "div",
      { class: "stack" },
      h("p", {}, t("Copy the password for \u201c{name}\u201d and enter it in the app instead of your regular password.", { name: created.name })),
      h(
        "p",
        { class: "password-box" },
        h("code", { class: "secret", "aria-label": t("App password"), ...tid("app-password-value") }, groupInFours(created.password)),
      ),
      h(
        "p",
        { class: "notice notice-warning", ...tid("app-password-once") },
        t("This is the only time the password is shown. If you lose it, delete it and create a new one. The spaces are only there for reading."),
      ),
      h("div", { class: "dialog-actions" }, copy, button(t("Done"), { variant: "primary", testid: "app-password-done", onClick: () => dialog.close(true) })),
    ),
    { focus: "[data-testid=app-password-copy]" },
  );
}

async function deleteDialog(api, item, changed) {
  const deleted = await confirmDialog({
    title: t("Delete app password"),
    testid: "delete-app-password",
    body: h("p", {}, t("Delete \u201c{name}\u201d? Apps that sign in with it will stop working until you give them a new app password.", { name: item.name })),
    confirmText: t("Delete"),
    busyText: t("Deleting\u2026"),
    call: () => api.delete(`/me/app-passwords/${seg(item.id)}`),
  });
  if (deleted) {
    announce(t("App password \u201c{name}\u201d was deleted.", { name: item.name }));
    await changed();
  }
}
