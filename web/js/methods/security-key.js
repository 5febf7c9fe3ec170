// "Security key": a FIDO2 security key or passkey, by the browser's WebAuthn API.
// Add: passkey or plain key, name -> POST /me/methods (creation options, Level 3 JSON) ->
// navigator.credentials.create -> credential.toJSON() back. A passkey is a discoverable credential
// (it signs in without a username) and needs a step-up from the last 5 minutes, which the API's
// step-up hook asks for when the one it has is older. Sign-in: request options ->
// navigator.credentials.get -> toJSON() back.

import { ApiError, seg } from "../api.js";
import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { doneStep } from "./steps.js";
import { t } from "../i18n.js";

export { credentialJson, requestOptions, browserError, supported };

export default {
  type: "securityKey",
  get label() {
    return t("Security key");
  },
  get summary() {
    return t("Sign in with a USB, NFC or Bluetooth security key, or a passkey on this device.");
  },
  icon: "key",
  get codePrompt() {
    return t("Use your security key.");
  },

  add({ api, dialog, back }) {
    return new Promise((resolve) => addFlow(api, dialog, back, resolve));
  },

  verify(options) {
    keyVerification(options);
  },
};

const supported = () => typeof window.PublicKeyCredential === "function" && Boolean(navigator.credentials);

// Browsers without the Level 3 JSON helpers get the same conversion by hand.
const fromB64url = (text) => {
  const b64 = text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4);
  return Uint8Array.from(atob(b64), (c) => c.charCodeAt(0)).buffer;
};
const toB64url = (buffer) =>
  btoa(String.fromCharCode(...new Uint8Array(buffer))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function creationOptions(json) {
  if (PublicKeyCredential.parseCreationOptionsFromJSON) return PublicKeyCredential.parseCreationOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    user: { ...json.user, id: fromB64url(json.user.id) },
    excludeCredentials: (json.excludeCredentials ?? []).map((c) => ({ ...c, id: fromB64url(c.id) })),
  };
}

function requestOptions(json) {
  if (PublicKeyCredential.parseRequestOptionsFromJSON) return PublicKeyCredential.parseRequestOptionsFromJSON(json);
  return {
    ...json,
    challenge: fromB64url(json.challenge),
    allowCredentials: (json.allowCredentials ?? []).map((c) => ({ ...c, id: fromB64url(c.id) })),
  };
}

function credentialJson(credential) {
  if (typeof credential.toJSON === "function") return credential.toJSON();
  const r = credential.response;
  const response = { clientDataJSON: toB64url(r.clientDataJSON) };
  if (r.attestationObject) {
    response.attestationObject = toB64url(r.attestationObject);
    response.transports = r.getTransports?.() ?? [];
  } else {
    response.authenticatorData = toB64url(r.authenticatorData);
    response.signature = toB64url(r.signature);
    if (r.userHandle) response.userHandle = toB64url(r.userHandle);
  }
  return { id: credential.id, rawId: toB64url(credential.rawId), type: credential.type, response, clientExtensionResults: credential.getClientExtensionResults?.() ?? {} };
}

/** A sentence for a browser-side WebAuthn failure. */
function browserError(err) {
  if (err?.name === "NotAllowedError") return t("The request was cancelled or timed out. Try again.");
  if (err?.name === "InvalidStateError") return t("This security key is already registered to your account.");
  if (err?.name === "SecurityError") return t("Security keys can't be used on this address. Open the page at its configured address.");
  return t("Your browser could not use the security key. Try again.");
}

const KINDS = () => [
  {
    value: "passkey",
    label: t("A passkey"),
    hint: t("Kept on this device, your phone or your password manager; signs you in without a username or password."),
  },
  { value: "key", label: t("A security key"), hint: t("A USB, NFC or Bluetooth key you insert or tap.") },
];

function kindChoice(name) {
  return h(
    "fieldset",
    { class: "choice-group", ...tid("key-kind") },
    h("legend", {}, t("What would you like to add?")),
    KINDS().map(({ value, label, hint }) => {
      const id = uniqueId(`key-kind-${value}`);
      return h(
        "div",
        { class: "radio" },
        h("input", { type: "radio", name, id, value, checked: value === "key", "aria-describedby": `${id}-hint`, ...tid(`key-kind-${value}`) }),
        h("label", { for: id }, label),
        h("p", { class: "muted small", id: `${id}-hint` }, hint),
      );
    }),
  );
}

function addFlow(api, dialog, back, resolve) {
  dialog.setTitle(t("Security key"));
  const kindName = uniqueId("key-kind");
  const name = h("input", { type: "text", class: "input", maxlength: "64", required: true, autocomplete: "off", placeholder: "YubiKey", ...tid("key-name-input") });
  const error = errorLine("key-error");
  const next = button(t("Next"), { variant: "primary", type: "submit", testid: "key-next" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid("key-form") },
    h("p", {}, t("Have your key ready. When your browser asks, insert or tap the key, or use this device's passkey, and confirm with its PIN or fingerprint.")),
    kindChoice(kindName),
    field({ label: t("Name this security key"), input: name, id: uniqueId("key-name"), hint: t("So you can tell your keys apart, for example \u201cBlue YubiKey\u201d.") }),
    error,
    h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => back(), testid: "key-back" }), next),
  );
  if (!supported()) error.show(t("This browser can't use security keys."));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    error.clear();
    const displayName = name.value.trim();
    if (!displayName) {
      error.show(t("Enter a name for the key."));
      name.focus();
      return;
    }
    const passkey = form.querySelector(`input[name="${kindName}"]:checked`)?.value === "passkey";
    await busy(next, async () => {
      let setup;
      try {
        setup = await api.post("/me/methods", { type: "securityKey", displayName, passkey }, { idempotent: true });
      } catch (err) {
        showRefusal(error, err);
        return;
      }
      let credential;
      try {
        credential = await navigator.credentials.create({ publicKey: creationOptions(setup.publicKey) });
      } catch (err) {
        error.show(browserError(err));
        return;
      }
      try {
        const answer = await api.post(`/me/methods/registrations/${seg(setup.registrationId)}`, { credential: credentialJson(credential) });
        const method = answer.method;
        doneStep(dialog, {
          title: t("Security key"),
          prefix: "key",
          lead: method.passkey ? t("Your passkey was registered.") : t("Your security key was registered."),
          detail: t("\u201c{name}\u201d ({model}, {kind}) can now be used to sign in.", {
            name: method.displayName,
            model: method.model ?? t("Security key"),
            kind: method.synced ? t("synced") : t("device-bound"),
          }),
          onDone: () => resolve(method),
        });
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        error.show(err);
      }
    }, t("Waiting for your key\u2026"));
  });
  dialog.show(form);
}

function keyVerification({ api, verification, show, testid, onApproved, expired }) {
  const error = errorLine(`${testid}-key-error`);
  const go = button(t("Use security key"), { variant: "primary", testid: `${testid}-use-key` });
  go.addEventListener("click", () =>
    busy(go, async () => {
      error.clear();
      let credential;
      try {
        credential = await navigator.credentials.get({ publicKey: requestOptions(verification.challenge.publicKey) });
      } catch (err) {
        error.show(browserError(err));
        return;
      }
      try {
        const answer = await api.post(`/me/verifications/${seg(verification.verificationId)}`, { credential: credentialJson(credential) });
        onApproved(answer);
      } catch (err) {
        if (!(err instanceof ApiError)) throw err;
        if (err.status === 410) expired(err);
        else error.show(err);
      }
    }, t("Waiting for your key\u2026")),
  );
  show(
    h(
      "div",
      { class: "stack", ...tid(`${testid}-key`) },
      h("p", {}, t("Insert or tap your security key, or use this device's passkey, when your browser asks.")),
      error,
      h("div", { class: "dialog-actions" }, go),
    ),
    { focus: "button" },
  );
}
