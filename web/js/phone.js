// The simulated authenticator app ("the phone"). It speaks only the public device API:
//   POST /devices/activate                          activation code + our public key -> TOTP settings
//   GET  /devices/{id}/pending                      signed: requests waiting for an answer
//   POST /devices/{id}/approvals/{verificationId}   signed: approve (with the number) / deny / fraud
// Each account keeps its own ECDSA P-256 key pair (WebCrypto, exported as JWK) in localStorage.
// A request is signed over METHOD\nPATH\nTIMESTAMP\nNONCE\nHEX(SHA256(body)); WebCrypto signs in
// the raw r||s form and the API wants DER, so the signature is re-encoded.

import { h, replace, tid } from "./dom.js";
import { language, mountLanguagePicker, onLanguageChange, t } from "./i18n.js";

const STORE = "securityinfo.phone.v1";
const POLL_MS = 2000;
const enc = new TextEncoder();

const state = load();
const seen = new Map(); // verificationId -> card (so typing is not lost on a refresh)
const el = {
  requests: document.getElementById("requests"),
  accounts: document.getElementById("accounts"),
  add: document.getElementById("add"),
  status: document.getElementById("phone-status"),
};

// --- storage ---------------------------------------------------------------------------------

function load() {
  try {
    const value = JSON.parse(localStorage.getItem(STORE) ?? "null");
    if (value && Array.isArray(value.accounts)) return { clockOffset: 0, ...value };
  } catch {
    /* a broken store starts empty */
  }
  return { accounts: [], clockOffset: 0 };
}

function save() {
  localStorage.setItem(STORE, JSON.stringify(state));
}

// --- encodings -------------------------------------------------------------------------------

const b64url = (bytes) =>
  btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
const hex = (buffer) => [...new Uint8Array(buffer)].map((b) => b.toString(16).padStart(2, "0")).join("");

/** IEEE P1363 (r||s, 32 bytes each) -> ASN.1 DER SEQUENCE { INTEGER r, INTEGER s }. */
function rawToDer(raw) {
  const bytes = new Uint8Array(raw);
  const integer = (part) => {
    let i = 0;
    while (i < part.length - 1 && part[i] === 0) i++;
    let value = part.slice(i);
    if (value[0] & 0x80) value = Uint8Array.of(0, ...value);
    return Uint8Array.of(0x02, value.length, ...value);
  };
  const r = integer(bytes.slice(0, 32));
  const s = integer(bytes.slice(32));
  return Uint8Array.of(0x30, r.length + s.length, ...r, ...s);
}

function base32ToBytes(text) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
  let bits = 0;
  let value = 0;
  const out = [];
  for (const c of text.replace(/=+$/, "").toUpperCase()) {
    const index = alphabet.indexOf(c);
    if (index < 0) continue;
    value = (value << 5) | index;
    bits += 5;
    if (bits >= 8) {
      out.push((value >>> (bits - 8)) & 0xff);
      bits -= 8;
    }
  }
  return Uint8Array.from(out);
}

// --- time, TOTP, signing ---------------------------------------------------------------------

/** The phone's clock, corrected by what the service told us when it refused a skewed timestamp. */
const nowSeconds = () => Date.now() / 1000 + (state.clockOffset || 0);

async function totp(account) {
  const period = account.period || 30;
  const counter = Math.floor(nowSeconds() / period);
  const message = new Uint8Array(8);
  new DataView(message.buffer).setUint32(4, counter >>> 0);
  new DataView(message.buffer).setUint32(0, Math.floor(counter / 2 ** 32));
  const key = await crypto.subtle.importKey("raw", base32ToBytes(account.secret), { name: "HMAC", hash: "SHA-1" }, false, ["sign"]);
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, message));
  const offset = mac[mac.length - 1] & 0x0f;
  const binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
  const digits = account.digits || 6;
  return { code: String(binary % 10 ** digits).padStart(digits, "0"), left: period - (Math.floor(nowSeconds()) % period) };
}

async function signedFetch(account, method, path, payload) {
  const body = payload === undefined ? "" : JSON.stringify(payload);
  const key = await crypto.subtle.importKey("jwk", account.privateJwk, { name: "ECDSA", namedCurve: "P-256" }, false, ["sign"]);
  for (let attempt = 0; ; attempt++) {
    const timestamp = String(Math.floor(nowSeconds()));
    const nonce = b64url(crypto.getRandomValues(new Uint8Array(16)));
    const bodyHash = hex(await crypto.subtle.digest("SHA-256", enc.encode(body)));
    const message = enc.encode(`${method}\n${path}\n${timestamp}\n${nonce}\n${bodyHash}`);
    const raw = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, key, message);
    const headers = {
      "X-Device-Timestamp": timestamp,
      "X-Device-Nonce": nonce,
      "X-Device-Signature": b64url(rawToDer(raw)),
      "Accept-Language": language(),
    };
    if (body) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body || undefined });
    if (response.status === 401 && attempt === 0) {
      const data = await response.clone().json().catch(() => null);
      if (data?.error?.code === "device_clock_skew" && Number.isFinite(data.error.serverTime)) {
        state.clockOffset = data.error.serverTime - Date.now() / 1000;
        save();
        continue;
      }
    }
    return response;
  }
}

async function errorText(response) {
  const data = await response.json().catch(() => null);
  return data?.error?.message ?? t("The service answered {status}.", { status: String(response.status) });
}

/** Say what just happened, at the top of the phone where the request was; problems look like it. */
function say(text, kind = "info") {
  el.status.textContent = text;
  el.status.dataset.kind = kind;
}

// --- activation ------------------------------------------------------------------------------

/** The activation code from what was typed or pasted: the code itself or the QR's URL. */
function parseActivation(text) {
  const value = text.trim();
  if (/^https?:\/\//i.test(value)) {
    try {
      return new URL(value).searchParams.get("code") ?? "";
    } catch {
      return "";
    }
  }
  return value;
}

async function activate(codeText, deviceName) {
  const activationCode = parseActivation(codeText);
  if (!activationCode) throw new Error(t("Enter the code (or paste the QR code's content) from the Security info page."));
  const pair = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
  const publicJwk = await crypto.subtle.exportKey("jwk", pair.publicKey);
  const privateJwk = await crypto.subtle.exportKey("jwk", pair.privateKey);
  const pushToken = `sim-${b64url(crypto.getRandomValues(new Uint8Array(12)))}`;
  const response = await fetch("/devices/activate", {
    method: "POST",
    headers: { "Content-Type": "application/json", "Accept-Language": language() },
    body: JSON.stringify({ activationCode, publicKeyJwk: { kty: "EC", crv: "P-256", x: publicJwk.x, y: publicJwk.y }, pushToken, deviceName }),
  });
  if (response.status !== 201) throw new Error(await errorText(response));
  const answer = await response.json();
  state.accounts.push({
    deviceId: answer.deviceId,
    accountName: answer.accountName,
    issuer: answer.issuer,
    secret: answer.totp.secret,
    period: answer.totp.period,
    digits: answer.totp.digits,
    deviceName,
    pushToken,
    privateJwk,
    publicJwk,
  });
  save();
}

// --- rendering -------------------------------------------------------------------------------

function renderAdd() {
  const code = h("input", { type: "text", class: "input", autocomplete: "off", spellcheck: "false", required: true, ...tid("phone-add-code") });
  const name = h("input", { type: "text", class: "input", maxlength: "64", value: t("Simulated phone"), ...tid("phone-add-name") });
  const submit = h("button", { type: "submit", class: "btn btn-primary", ...tid("phone-add-submit") }, t("Add account"));
  const form = h(
    "form",
    { class: "phone-card stack", novalidate: true },
    h("h2", {}, t("Add account")),
    h("label", { class: "field-label" }, t("Code or the QR code's content"), code),
    h("label", { class: "field-label" }, t("Name of this device"), name),
    h("div", { class: "phone-actions" }, submit),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    submit.disabled = true;
    say(t("Adding the account\u2026"));
    try {
      await activate(code.value, name.value.trim() || t("Simulated phone"));
      code.value = "";
      say(t("Account added. Go back to the Security info page and choose Next."));
      renderAccounts();
      poll();
    } catch (err) {
      say(err.message, "problem");
    } finally {
      submit.disabled = false;
    }
  });
  replace(el.add, form);
}

function renderAccounts() {
  replace(
    el.accounts,
    state.accounts.length === 0
      ? h("p", { class: "muted" }, t("No accounts yet. Add one with the code from \u201cAdd sign-in method \u2192 Authenticator app\u201d."))
      : state.accounts.map((account) => {
          const code = h("div", { class: "phone-totp", ...tid("phone-code") }, "\u2026");
          const left = h("span", { class: "muted small" });
          const card = h(
            "div",
            { class: "phone-card", ...tid("phone-account"), "data-device-id": account.deviceId },
            h("div", { class: "phone-account-name" }, account.issuer),
            h("div", { class: "muted" }, account.accountName),
            code,
            left,
            h(
              "div",
              { class: "phone-actions" },
              h("button", { type: "button", class: "btn btn-link", onclick: () => forget(account) }, t("Remove from this phone")),
            ),
          );
          const tick = async () => {
            if (!document.body.contains(card)) return;
            const now = await totp(account);
            code.textContent = `${now.code.slice(0, 3)} ${now.code.slice(3)}`;
            code.dataset.code = now.code;
            left.textContent = t("Changes in {count} s", { count: now.left });
            setTimeout(tick, 1000);
          };
          setTimeout(tick, 0); // once the card is on the page
          return card;
        }),
  );
}

function forget(account) {
  state.accounts = state.accounts.filter((a) => a.deviceId !== account.deviceId);
  save();
  renderAccounts();
}

function requestCard(account, request) {
  const number = h("input", {
    type: "text",
    inputmode: "numeric",
    maxlength: "2",
    autocomplete: "off",
    class: "input phone-number-input",
    "aria-label": t("Number shown on the sign-in screen"),
    ...tid("phone-number-input"),
  });
  const message = h("p", { class: "small", role: "alert", ...tid("phone-request-message") });
  const decide = async (decision) => {
    const body = { decision };
    if (decision === "approve") {
      if (!/^\d{2}$/.test(number.value.trim())) {
        message.textContent = t("Enter the two-digit number shown on the sign-in screen.");
        number.focus();
        return;
      }
      body.numberEntered = number.value.trim();
    }
    for (const b of card.querySelectorAll("button")) b.disabled = true;
    const path = `/devices/${encodeURIComponent(account.deviceId)}/approvals/${encodeURIComponent(request.verificationId)}`;
    const response = await signedFetch(account, "POST", path, body);
    if (response.status === 204) {
      say(decision === "approve" ? t("Approved.") : decision === "fraud" ? t("Denied and reported as fraud.") : t("Denied."));
    } else {
      say(await errorText(response), "problem");
    }
    card.remove();
    seen.delete(request.verificationId);
  };
  const isTest = request.purpose === "registration";
  const card = h(
    "div",
    { class: "phone-card phone-request", ...tid("phone-request"), "data-verification-id": request.verificationId },
    h("strong", {}, isTest ? t("Test notification") : t("Approve sign-in?")),
    h("div", {}, request.app, " \u00b7 ", account.accountName),
    request.location && h("div", { class: "muted small" }, t("From {place}", { place: request.location })),
    h("label", { class: "field-label" }, t("Enter the number shown to sign in."), number),
    message,
    h(
      "div",
      { class: "phone-actions" },
      h("button", { type: "button", class: "btn btn-primary", onclick: () => decide("approve"), ...tid("phone-approve") }, t("Yes")),
      h("button", { type: "button", class: "btn", onclick: () => decide("deny"), ...tid("phone-deny") }, t("No, it's not me")),
      h("button", { type: "button", class: "btn btn-link", onclick: () => decide("fraud"), ...tid("phone-fraud") }, t("Report fraud")),
    ),
  );
  return card;
}

// --- polling ---------------------------------------------------------------------------------

let polling = false;

async function poll() {
  if (polling) return;
  polling = true;
  try {
    const live = new Set();
    for (const account of [...state.accounts]) {
      let response;
      try {
        response = await signedFetch(account, "GET", `/devices/${encodeURIComponent(account.deviceId)}/pending`);
      } catch {
        say(t("Can't reach the service."));
        continue;
      }
      if (response.status === 401) {
        say(`${account.accountName}: ${await errorText(response)}`, "problem");
        continue;
      }
      if (!response.ok) continue;
      const { requests } = await response.json();
      for (const request of requests) {
        live.add(request.verificationId);
        if (!seen.has(request.verificationId)) {
          const card = requestCard(account, request);
          seen.set(request.verificationId, card);
          el.requests.append(card);
          card.querySelector("input")?.focus();
        }
      }
    }
    for (const [id, card] of seen) {
      if (!live.has(id)) {
        card.remove();
        seen.delete(id);
      }
    }
  } finally {
    polling = false;
  }
}

mountLanguagePicker();
onLanguageChange(() => {
  renderAdd();
  renderAccounts();
  for (const [id, card] of seen) {
    card.remove();
    seen.delete(id); // drawn again in the new language by the next poll
  }
});
renderAdd();
renderAccounts();
const fromUrl = new URLSearchParams(location.hash.slice(1)).get("code");
if (fromUrl) el.add.querySelector("[data-testid=phone-add-code]").value = fromUrl;
poll();
setInterval(poll, POLL_MS);
