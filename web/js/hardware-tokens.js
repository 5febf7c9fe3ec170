// The administrator's t("Hardware tokens") section: upload tokens (a CSV file or pasted lines in the
// common "serial, secret, manufacturer, model, digits, period, hash" layout, header line optional),
// list them with their status, assign one to a user, delete one. The server checks every token and
// names the one it refuses (tokens[3].digits): shown here as the CSV line it came from.

import { ApiError, seg } from "./api.js";
import { h, replace, tid } from "./dom.js";
import { describeError } from "./format.js";
import { t } from "./i18n.js";
import { announce, busy, button, confirmDialog, errorLine, field, openDialog, uniqueId } from "./ui.js";

const COLUMNS = ["serial", "secret", "manufacturer", "model", "digits", "period", "hash"];
const STATUS_LABELS = { available: () => t("Available"), assigned: () => t("Assigned"), activated: () => t("Activated") };

/** One CSV line's fields (commas; double quotes around a field that holds one). */
function csvFields(line) {
  const out = [];
  let current = "";
  let quoted = false;
  for (let i = 0; i < line.length; i += 1) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        current += '"';
        i += 1;
      } else if (c === '"') quoted = false;
      else current += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      out.push(current.trim());
      current = "";
    } else current += c;
  }
  out.push(current.trim());
  return out;
}

const wholeOr = (text) => (/^\d+$/.test(text) ? Number(text) : text);
// "SHA1", "SHA-256", "HmacSHA256" -> sha1 / sha256; anything else as typed (the server names it).
const hashName = (text) => text.toLowerCase().replace(/^hmac-?/, "").replace("-", "");

/**
 * The tokens of a CSV text and the line each came from; `problem` names the first line that does
 * not have the seven columns. A first line with a word in the digits column is a header.
 */
export function parseTokenCsv(text) {
  const tokens = [];
  const lines = [];
  const rows = String(text ?? "").split(/\r?\n/);
  let seenFirst = false;
  for (let n = 0; n < rows.length; n += 1) {
    const row = rows[n].replace(/^\uFEFF/, "");
    if (!row.trim() || row.trim().startsWith("#")) continue;
    const fields = csvFields(row);
    if (!seenFirst) {
      seenFirst = true;
      // The header line: words where the digits go ("digits", "Digits"), not a mistyped number.
      if (fields.length === COLUMNS.length && /^[a-z _-]+$/i.test(fields[4])) continue;
    }
    if (fields.length !== COLUMNS.length) {
      return { tokens, lines, problem: `Line ${n + 1}: expected ${COLUMNS.length} values (${COLUMNS.join(", ")}), found ${fields.length}.` };
    }
    const [serialNumber, secret, manufacturer, model, digits, period, hash] = fields;
    tokens.push({
      serialNumber,
      secret,
      manufacturer,
      model,
      digits: wholeOr(digits),
      periodSeconds: wholeOr(period.replace(/s$/i, "")),
      hashFunction: hashName(hash),
    });
    lines.push(n + 1);
  }
  return { tokens, lines, problem: tokens.length ? null : t("No tokens found: give one token per line.") };
}

/** "tokens[3].digits" -> "Line 5 (digits)", from the lines the tokens came from. */
function where(fieldPath, lines) {
  const match = /^tokens\[(\d+)\]\.?(.*)$/.exec(fieldPath ?? "");
  if (!match) return fieldPath ?? "";
  const line = lines[Number(match[1])];
  const number = line ?? Number(match[1]) + 1;
  return match[2] ? t("Line {line} ({column})", { line: number, column: match[2] }) : t("Line {line}", { line: number });
}

export function hardwareTokensSection(card, { api, resolveUser }) {
  const file = h("input", { type: "file", accept: ".csv,text/csv,text/plain", class: "input", ...tid("hwtokens-file") });
  const text = h("textarea", {
    class: "input textarea",
    rows: "5",
    spellcheck: "false",
    placeholder: "serial, secret, manufacturer, model, digits, period, hash\nOATH0001, JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP, Contoso, TOTP-6, 6, 30, sha1",
    ...tid("hwtokens-csv"),
  });
  const error = errorLine("hwtokens-upload-error");
  const result = h("p", { class: "muted", role: "status", ...tid("hwtokens-upload-result") });
  const upload = button(t("Upload tokens"), { variant: "primary", type: "submit", testid: "hwtokens-upload" });
  const list = h("div", { class: "stack", ...tid("hwtokens-list") });
  file.addEventListener("change", async () => {
    const chosen = file.files?.[0];
    if (chosen) text.value = await chosen.text();
  });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid("hwtokens-upload-form") },
    h("h2", { id: "hwtokens-title", class: "section-title" }, t("Hardware tokens")),
    h("p", { class: "muted" }, t("Upload hardware OATH (TOTP) tokens; users then add one under Security info with its serial number and a code. Secrets are kept encrypted and never shown again.")),
    field({ label: t("CSV file"), input: file, id: uniqueId("hwtokens-file"), hint: t("Columns: serial, secret (base32), manufacturer, model, digits (6 or 8), period (30 or 60), hash (sha1 or sha256). A header line is optional. Up to 500 tokens at a time.") }),
    field({ label: t("Or paste the lines"), input: text, id: uniqueId("hwtokens-csv") }),
    error,
    result,
    h("div", { class: "form-actions" }, upload),
  );
  const reload = () => showTokens(list, api, resolveUser, reload);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.clear();
    result.textContent = "";
    const { tokens, lines, problem } = parseTokenCsv(text.value);
    if (problem) {
      error.show(problem);
      return;
    }
    let answer;
    try {
      answer = await busy(upload, () => api.post("/admin/hardware-tokens", { tokens }), t("Uploading\u2026"));
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error.show(err.field ? `${where(err.field, lines)}: ${err.message}` : describeError(err));
      return;
    }
    const skipped = answer.skipped ?? [];
    result.textContent =
      (answer.created === 1 ? t("1 token uploaded.") : t("{count} tokens uploaded.", { count: answer.created })) +
      (skipped.length ? t(" Already known, left as they were: {serials}.", { serials: skipped.join(", ") }) : "");
    announce(result.textContent);
    text.value = "";
    file.value = "";
    await reload();
  });
  replace(card, h("div", { class: "card-body stack" }, form, h("h3", {}, t("Tokens")), list));
  reload();
}

async function showTokens(slot, api, resolveUser, reload) {
  replace(slot, h("p", { class: "muted loading" }, t("Loading the tokens\u2026")));
  const rows = [];
  const more = button(t("Show more"), { testid: "hwtokens-more" });
  const body = h("tbody", {});
  const table = h(
    "table",
    { class: "data-table", ...tid("hwtokens-table") },
    h("thead", {}, h("tr", {}, [t("Serial number"), t("Make and model"), t("Status"), t("Assigned to"), ""].map((label) => h("th", { scope: "col" }, label)))),
    body,
  );
  let cursor = null;
  const load = async () => {
    const page = await api.get(`/admin/hardware-tokens${cursor ? `?cursor=${seg(cursor)}` : ""}`);
    for (const token of page.tokens ?? []) {
      const row = tokenRow(token, api, resolveUser, reload);
      rows.push(row);
      body.append(row);
    }
    cursor = page.nextCursor ?? null;
    more.hidden = !cursor;
  };
  more.addEventListener("click", () => busy(more, load, t("Loading\u2026")).catch((err) => announce(describeError(err), "error")));
  try {
    await load();
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    replace(slot, h("p", { class: "notice notice-error", role: "alert" }, describeError(err)));
    return;
  }
  replace(slot, rows.length ? table : h("p", { class: "muted", ...tid("hwtokens-empty") }, t("No hardware tokens uploaded yet.")), more);
}

function tokenRow(token, api, resolveUser, reload) {
  const serial = token.serialNumber;
  const actions = h("td", { class: "row-actions" });
  if (token.status !== "activated") {
    actions.append(button(t("Assign"), { testid: "hwtoken-assign", onClick: () => assignDialog(api, resolveUser, serial, reload) }));
  }
  actions.append(
    button(t("Delete"), {
      variant: "danger",
      testid: "hwtoken-delete",
      onClick: async () => {
        const done = await confirmDialog({
          title: t("Delete hardware token"),
          testid: "hwtoken-delete",
          body: h(
            "p",
            {},
            token.status === "activated"
              ? t("Token {serial} is a sign-in method of {user}: deleting it removes that method too, and the user is told.", { serial, user: token.assignedTo })
              : t("Token {serial} is removed from the list; nobody can add it any more.", { serial }),
          ),
          confirmText: t("Delete token"),
          busyText: t("Deleting\u2026"),
          call: () => api.delete(`/admin/hardware-tokens/${seg(serial)}`),
        });
        if (done) {
          announce(t("Token {serial} was deleted.", { serial }));
          await reload();
        }
      },
    }),
  );
  return h(
    "tr",
    { ...tid("hwtoken-row"), "data-serial": serial, "data-status": token.status },
    h("td", {}, h("code", {}, serial)),
    h("td", {}, `${token.manufacturer} ${token.model}`),
    h("td", { ...tid("hwtoken-status") }, STATUS_LABELS[token.status]?.() ?? token.status),
    h("td", { ...tid("hwtoken-assigned") }, token.assignedTo ?? ""),
    actions,
  );
}

async function assignDialog(api, resolveUser, serial, reload) {
  const dialog = openDialog({ title: t("Assign token {serial}", { serial }), testid: "hwtoken-assign-dialog" });
  const input = h("input", { type: "text", class: "input", required: true, maxlength: "128", spellcheck: "false", ...tid("hwtoken-assign-user") });
  const error = errorLine("hwtoken-assign-error");
  const assign = button(t("Assign"), { variant: "primary", type: "submit", testid: "hwtoken-assign-confirm" });
  const form = h(
    "form",
    { class: "stack", novalidate: true },
    h("p", {}, t("Only this user can then add the token, with its serial number and a code.")),
    field({ label: t("User ID"), input, id: uniqueId("hwtoken-user"), hint: t("The user's id from the identity provider. Local demo: a username works too.") }),
    error,
    h("div", { class: "dialog-actions" }, button(t("Cancel"), { onClick: () => dialog.close(), testid: "hwtoken-assign-cancel" }), assign),
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
      await busy(assign, async () => {
        const userId = await resolveUser(value);
        await api.post(`/admin/hardware-tokens/${seg(serial)}/assign`, { userId });
      }, t("Assigning\u2026"));
      dialog.close(true);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      error.show(err);
    }
  });
  dialog.show(form, { focus: "input" });
  if (await dialog.result) {
    announce(t("Token {serial} was assigned.", { serial }));
    await reload();
  }
}
