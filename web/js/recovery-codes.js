// "Recovery codes" on the Security info page: a set of 10 single-use codes for when the phone is
// lost. Create (after "Verify your identity") -> the codes, shown once, with Copy, Download (a text
// file) and Print -> "N left", with a warning once 3 or fewer are left; create a new set; delete.

import { h, redrawKeepingFocus, replace, tid } from "./dom.js";
import { formatDate } from "./format.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { announce, busy, button, confirmDialog, errorLine, loadOrNotice, openDialog, showRefusal } from "./ui.js";

// Every string of this section, together; looked up when used, in the language shown now.
export const TEXT = {
  get title() { return t("Recovery codes"); },
  get intro() {
    return t("If you lose your phone or security key, sign in with a recovery code instead. Each code works once. Keep them somewhere safe, away from your devices.");
  },
  get none() { return t("You have no recovery codes."); },
  get disabled() { return t("Your organization does not use recovery codes."); },
  get needMethod() { return t("Add a method for two-step verification first; recovery codes are a fallback for it."); },
  get create() { return t("Create recovery codes"); },
  get createNew() { return t("Create new codes"); },
  get delete() { return t("Delete codes"); },
  left: (remaining, total) => t("{remaining} of {total} left", { remaining, total }),
  low: (remaining) =>
    remaining === 0
      ? t("You have used all your recovery codes. Create a new set.")
      : t("Only {count} left. Create a new set before you run out.", { count: remaining }),
  created: (iso) => t("Created {date}", { date: formatDate(iso) }),
  lastUsed: (iso) => (iso ? t("Last used {date}", { date: formatDate(iso, { withTime: true }) }) : t("Not used yet")),
  get creating() { return t("Creating\u2026"); },
  get replaceTitle() { return t("Create new recovery codes"); },
  get replaceBody() { return t("Your current recovery codes will stop working as soon as the new ones are created."); },
  get replaceConfirm() { return t("Create new codes"); },
  get deleteTitle() { return t("Delete recovery codes"); },
  get deleteBody() { return t("Delete your recovery codes? None of them will work anymore."); },
  get deleteConfirm() { return t("Delete"); },
  get deleting() { return t("Deleting\u2026"); },
  get deleted() { return t("Your recovery codes were deleted."); },
  get showTitle() { return t("Your recovery codes"); },
  get showIntro() { return t("Save these codes now. Each one signs you in once when you can't use your other methods."); },
  get once() { return t("This is the only time the codes are shown. If you lose them, create a new set."); },
  get copy() { return t("Copy"); },
  get copied() { return t("Copied"); },
  get copyFailed() { return t("Select the codes and copy them"); },
  get download() { return t("Download"); },
  get print() { return t("Print"); },
  get done() { return t("Done"); },
  fileName: "recovery-codes.txt",
  fileHeader: (issuer, when) => t("{issuer} recovery codes (created {date}). Each code works once.", { issuer, date: when }),
  get listLabel() { return t("Recovery codes"); },
  get announceCreated() { return t("Your recovery codes were created."); },
};

/** The section; `onChange` runs after a create or delete (the page reloads its overview). */
export function recoveryCodesSection({ api, info, onChange = () => {} }) {
  const section = h("section", { class: "card", "aria-labelledby": "recovery-codes-title", ...tid("recovery-codes") });
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, t("Loading recovery codes\u2026")));
  section.append(body);
  const summary = info.recoveryCodes ?? { enabled: false, total: 0 };
  const hasMfa = (info.methods ?? []).some((m) => m.type !== "recoveryCodes" && (m.usableFor ?? []).includes("mfa"));
  if (!summary.enabled && !(summary.total > 0)) {
    section.hidden = true;
    return section;
  }

  const load = async () => {
    const answer = await loadOrNotice(body, () => api.get("/me/recovery-codes"));
    if (answer) render(answer);
  };
  const changed = async () => {
    await load();
    onChange();
  };

  const render = (set) => {
    const has = set.total > 0;
    const allowed = set.enabled !== false;
    const create = h(
      "button",
      {
        type: "button",
        class: "btn btn-add",
        disabled: !allowed || !hasMfa,
        ...tid("create-recovery-codes"),
        onclick: () => (has ? replaceDialog(api, changed) : createCodes(api, changed)),
      },
      icon("plus", { size: 18 }),
      h("span", {}, has ? TEXT.createNew : TEXT.create),
    );
    redrawKeepingFocus(body, () => replace(
      body,
      h("h2", { id: "recovery-codes-title", class: "section-title" }, TEXT.title),
      h("p", { class: "muted" }, TEXT.intro),
      !allowed && h("p", { class: "small" }, TEXT.disabled),
      allowed && !hasMfa && h("p", { class: "small", ...tid("recovery-codes-need-method") }, TEXT.needMethod),
      has
        ? h(
            "div",
            { class: "stack" },
            h("p", { class: "lead", ...tid("recovery-codes-left") }, TEXT.left(set.remaining, set.total)),
            h("p", { class: "muted small" }, `${TEXT.created(set.createdAt)} \u00b7 ${TEXT.lastUsed(set.lastUsedAt)}`),
            set.low && h("p", { class: "notice notice-warning", role: "status", ...tid("recovery-codes-low") }, TEXT.low(set.remaining)),
          )
        : h("p", { class: "muted", ...tid("no-recovery-codes") }, TEXT.none),
      h(
        "div",
        { class: "toolbar" },
        create,
        has && button(TEXT.delete, { variant: "link", testid: "delete-recovery-codes", onClick: () => deleteDialog(api, changed) }),
      ),
    ), "[data-testid=create-recovery-codes]");
  };

  load();
  return section;
}

async function replaceDialog(api, changed) {
  const dialog = openDialog({ title: TEXT.replaceTitle, testid: "replace-recovery-codes-dialog" });
  const error = errorLine("replace-recovery-codes-error");
  const confirm = button(TEXT.replaceConfirm, { variant: "primary", testid: "replace-recovery-codes-confirm" });
  confirm.addEventListener("click", async () => {
    error.clear();
    let created;
    try {
      created = await busy(confirm, () => api.post("/me/recovery-codes", {}), TEXT.creating);
    } catch (err) {
      showRefusal(error, err);
      return;
    }
    showCodes(dialog, created);
  });
  dialog.show(
    h("div", { class: "stack" }, h("p", {}, TEXT.replaceBody), error, h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close() }), confirm)),
    { focus: "button" },
  );
  if (await dialog.result) {
    announce(TEXT.announceCreated);
    await changed();
  }
}

async function createCodes(api, changed) {
  const dialog = openDialog({ title: TEXT.showTitle, testid: "recovery-codes-dialog" });
  const error = errorLine("recovery-codes-error");
  dialog.show(h("div", { class: "stack" }, h("p", { class: "muted" }, TEXT.creating), error));
  try {
    showCodes(dialog, await api.post("/me/recovery-codes", {}));
  } catch (err) {
    showRefusal(error, err);
    dialog.show(h("div", { class: "stack" }, error, h("div", { class: "dialog-actions" }, button(t("Close"), { onClick: () => dialog.close() }))));
  }
  if (await dialog.result) {
    announce(TEXT.announceCreated);
    await changed();
  }
}

/** The codes, once: they live only in this dialog's DOM (and whatever the user copies or saves). */
function showCodes(dialog, created) {
  dialog.setTitle(TEXT.showTitle);
  const codes = created.codes ?? [];
  const text = [TEXT.fileHeader(document.title || "Security Info", formatDate(created.createdAt)), "", ...codes, ""].join("\n");
  const copy = button(TEXT.copy, { testid: "recovery-codes-copy" });
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(codes.join("\n"));
      copy.textContent = TEXT.copied;
    } catch {
      copy.textContent = TEXT.copyFailed;
    }
  });
  const download = button(TEXT.download, { testid: "recovery-codes-download" });
  download.addEventListener("click", () => {
    const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
    const link = h("a", { href: url, download: TEXT.fileName, hidden: true });
    document.body.append(link);
    link.click();
    link.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  const print = button(TEXT.print, { testid: "recovery-codes-print" });
  print.addEventListener("click", () => {
    // The print stylesheet shows only what is marked printable: the list of codes.
    document.body.classList.add("printing-codes");
    window.addEventListener("afterprint", () => document.body.classList.remove("printing-codes"), { once: true });
    window.print();
  });
  dialog.show(
    h(
      "div",
      { class: "stack" },
      h("p", {}, TEXT.showIntro),
      h(
        "ol",
        { class: "recovery-code-list printable", "aria-label": TEXT.listLabel, ...tid("recovery-code-list") },
        codes.map((code) => h("li", {}, h("code", { class: "secret", ...tid("recovery-code") }, code))),
      ),
      h("p", { class: "notice notice-warning", ...tid("recovery-codes-once") }, TEXT.once),
      h(
        "div",
        { class: "dialog-actions" },
        copy,
        download,
        print,
        button(TEXT.done, { variant: "primary", testid: "recovery-codes-done", onClick: () => dialog.close(true) }),
      ),
    ),
    { focus: "[data-testid=recovery-codes-copy]" },
  );
}

async function deleteDialog(api, changed) {
  const deleted = await confirmDialog({
    title: TEXT.deleteTitle,
    testid: "delete-recovery-codes",
    body: h("p", {}, TEXT.deleteBody),
    confirmText: TEXT.deleteConfirm,
    busyText: TEXT.deleting,
    call: () => api.delete("/me/recovery-codes"),
  });
  if (deleted) {
    announce(TEXT.deleted);
    await changed();
  }
}
