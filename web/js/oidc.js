// Sign-in for the pages: OpenID Connect authorization code with PKCE (S256) against the issuer
// named in config.json, the same code locally (/local/oidc) and in AWS (the organization's
// identity provider). Tokens are kept in memory only: a reload goes to the provider again, which
// sends the browser straight back while its own sign-in session lasts.
//
// Only what must survive the redirect is in sessionStorage, and only until the page is back: the
// request's state, nonce and PKCE verifier (useless without the single-use code), and the hash to
// return to.

import { h, replace, tid } from "./dom.js";
import { t } from "./i18n.js";
import { brandMark, button } from "./ui.js";

const PENDING_KEY = "securityInfo.signIn.pending";
// Per page: signing out of the admin page must not keep the Security info page from signing in.
const signedOutKey = () => `securityInfo.signedOut:${location.pathname.replace(/index\.html$/, "")}`;

export class SignInError extends Error {
  constructor(message) {
    super(message);
    this.name = "SignInError";
  }
}

/** The pages' configuration: `{apiUrl, issuer, clientId, scopes}` (written by `make deploy` in AWS). */
export async function loadConfig() {
  let response;
  try {
    response = await fetch("config.json", { cache: "no-store", headers: { Accept: "application/json" } });
  } catch {
    throw new SignInError(t("Could not reach the service. Check your connection and try again."));
  }
  const config = response.ok ? await response.json().catch(() => null) : null;
  if (!config?.issuer || !config?.clientId) {
    throw new SignInError(t("This page is not configured for sign-in (config.json names no identity provider)."));
  }
  return { apiUrl: "", scopes: "openid profile", ...config };
}

export class OidcClient {
  constructor(config) {
    this.config = config;
    this.metadata = null;
  }

  /** This page's address as registered at the provider: `/index.html` and `/` are one page. */
  get redirectUri() {
    return location.origin + location.pathname.replace(/index\.html$/, "");
  }

  async discover() {
    if (this.metadata) return this.metadata;
    const url = this.config.issuer.replace(/\/$/, "") + "/.well-known/openid-configuration";
    let metadata = null;
    try {
      const response = await fetch(url, { headers: { Accept: "application/json" } });
      if (response.ok) metadata = await response.json();
    } catch {
      // reported below
    }
    // The issuer must be the one configured (OpenID Connect Discovery §4.3).
    if (!metadata || metadata.issuer !== this.config.issuer || !metadata.authorization_endpoint || !metadata.token_endpoint) {
      throw new SignInError(t("The sign-in service could not be reached. Try again in a moment."));
    }
    this.metadata = metadata;
    return metadata;
  }

  /** Whether this load is the provider sending the browser back (with a code or an error). */
  get isRedirectBack() {
    const query = new URLSearchParams(location.search);
    return query.has("state") && (query.has("code") || query.has("error"));
  }

  /** Go to the provider's sign-in. `prompt: "login"` asks for the account even with a session. */
  async signIn({ prompt } = {}) {
    const metadata = await this.discover();
    const verifier = randomString(32);
    const pending = { state: randomString(16), nonce: randomString(16), verifier, returnTo: location.hash };
    sessionStorage.setItem(PENDING_KEY, JSON.stringify(pending));
    sessionStorage.removeItem(signedOutKey());
    const url = new URL(metadata.authorization_endpoint);
    const params = {
      client_id: this.config.clientId,
      redirect_uri: this.redirectUri,
      response_type: "code",
      scope: this.config.scopes,
      state: pending.state,
      nonce: pending.nonce,
      code_challenge: await s256(verifier),
      code_challenge_method: "S256",
    };
    if (prompt) params.prompt = prompt;
    for (const [key, value] of Object.entries(params)) url.searchParams.set(key, value);
    location.assign(url.toString());
  }

  /** Finish a sign-in the provider sent back: the session `{accessToken, idToken, userId, username, locale}`. */
  async completeSignIn() {
    const query = new URLSearchParams(location.search);
    const pending = readPending();
    sessionStorage.removeItem(PENDING_KEY);
    // The code must not stay in the address bar or the history.
    history.replaceState(null, "", location.pathname + (pending?.returnTo ?? ""));
    if (!pending || query.get("state") !== pending.state) {
      throw new SignInError(t("That sign-in was not started here, or it was already finished. Sign in again."));
    }
    if (query.has("error")) {
      throw new SignInError(t("The sign-in service refused: {reason}.", { reason: query.get("error_description") || query.get("error") }));
    }
    const metadata = await this.discover();
    // RFC 9207: an answer naming another issuer is a mix-up, not ours.
    if (query.has("iss") && query.get("iss") !== metadata.issuer) throw new SignInError(t("The sign-in answer came from another service. Sign in again."));
    const body = new URLSearchParams({
      grant_type: "authorization_code",
      code: query.get("code") ?? "",
      redirect_uri: this.redirectUri,
      client_id: this.config.clientId,
      code_verifier: pending.verifier,
    });
    let answer = null;
    try {
      const response = await fetch(metadata.token_endpoint, { method: "POST", body, headers: { Accept: "application/json" } });
      answer = await response.json().catch(() => null);
      if (!response.ok) throw new SignInError(t("The sign-in service refused: {reason}.", { reason: String(answer?.error_description || answer?.error || response.status) }));
    } catch (err) {
      if (err instanceof SignInError) throw err;
      throw new SignInError(t("Could not reach the sign-in service. Try again."));
    }
    if (!answer?.access_token || !answer?.id_token) throw new SignInError(t("The sign-in service sent no tokens. Sign in again."));
    // The ID token came straight from the token endpoint over TLS, so its claims are read, not
    // verified (OpenID Connect Core §3.1.3.7); what protects the API is the gateway's check.
    const claims = readJwt(answer.id_token);
    const audiences = [claims?.aud].flat();
    if (!claims || claims.iss !== metadata.issuer || !audiences.includes(this.config.clientId) || claims.nonce !== pending.nonce) {
      throw new SignInError(t("The sign-in answer is not for this page. Sign in again."));
    }
    return {
      accessToken: answer.access_token,
      idToken: answer.id_token,
      userId: String(claims.sub),
      username: claims.preferred_username || claims.name || claims.email || String(claims.sub),
      locale: claims.locale ?? null,
    };
  }

  /** End the provider's session too, when it says how (RP-initiated logout), and come back here. */
  async signOut(session) {
    sessionStorage.setItem(signedOutKey(), "1");
    const endpoint = this.metadata?.end_session_endpoint;
    if (!endpoint) return false;
    const url = new URL(endpoint);
    url.searchParams.set("client_id", this.config.clientId);
    url.searchParams.set("post_logout_redirect_uri", this.redirectUri);
    if (session?.idToken) url.searchParams.set("id_token_hint", session.idToken);
    location.assign(url.toString());
    return true;
  }

  get signedOut() {
    return sessionStorage.getItem(signedOutKey()) === "1";
  }
}

/**
 * Start a page: finish a sign-in coming back, or show why there is no session, or go to sign in.
 * Resolves with the session, or with null when the page shows a sign-in card instead.
 */
export async function startSession(main, { appName }) {
  let client;
  try {
    client = new OidcClient(await loadConfig());
    if (client.isRedirectBack) return { client, session: await client.completeSignIn() };
    if (client.signedOut) {
      signedOutCard(main, client, { appName });
      return { client, session: null };
    }
    signingInCard(main, { appName });
    await client.signIn();
    return { client, session: null };
  } catch (err) {
    if (!(err instanceof SignInError)) throw err;
    sessionCard(main, {
      testid: "sign-in-failed",
      title: t("We couldn't sign you in"),
      message: err.message,
      action: client ? t("Try again") : null,
      onAction: () => client.signIn(),
      appName,
      alert: true,
    });
    return { client, session: null };
  }
}

export function signingInCard(main, { appName }) {
  sessionCard(main, { testid: "signing-in", title: t("Signing in\u2026"), message: t("Taking you to your organization's sign-in page."), appName });
}

export function signedOutCard(main, client, { appName }) {
  sessionCard(main, {
    testid: "signed-out",
    title: t("You signed out"),
    message: t("You are signed out of {app}. Close this tab, or sign in again.", { app: appName }),
    action: t("Sign in"),
    onAction: () => client.signIn({ prompt: "login" }),
    appName,
  });
}

/** The clear page when the token has expired or was refused: say so, and offer to sign in again. */
export function expiredCard(main, client, { appName }) {
  sessionCard(main, {
    testid: "session-expired",
    title: t("Your session has expired"),
    message: t("For your security, sessions end after a while. Nothing you saved is lost. Sign in again to continue."),
    action: t("Sign in again"),
    onAction: () => client.signIn(),
    appName,
    alert: true,
  });
}

function sessionCard(main, { testid, title, message, action = null, onAction = null, appName, alert = false }) {
  document.body.classList.add("signed-out");
  const go = action && button(action, { variant: "primary", testid: `${testid}-sign-in`, onClick: () => {
    go.disabled = true;
    onAction();
  } });
  replace(
    main,
    h(
      "section",
      { class: "sign-in-card card", "aria-labelledby": "session-title", ...tid(testid) },
      h("div", { class: "sign-in-brand" }, brandMark(), h("span", {}, appName)),
      h("h1", { id: "session-title" }, title),
      h("p", { class: "muted", role: alert ? "alert" : null }, message),
      go && h("div", { class: "form-actions" }, go),
    ),
  );
  (go ?? main).focus();
}

// --- encodings -------------------------------------------------------------------------------

function readPending() {
  try {
    const value = JSON.parse(sessionStorage.getItem(PENDING_KEY) ?? "null");
    return value && typeof value.state === "string" && typeof value.verifier === "string" ? value : null;
  } catch {
    return null;
  }
}

const base64url = (bytes) => btoa(String.fromCharCode(...new Uint8Array(bytes))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");

function randomString(bytes) {
  return base64url(crypto.getRandomValues(new Uint8Array(bytes)));
}

async function s256(verifier) {
  return base64url(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
}

function readJwt(token) {
  try {
    const part = token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/");
    const bytes = Uint8Array.from(atob(part.padEnd(part.length + ((4 - (part.length % 4)) % 4), "=")), (c) => c.charCodeAt(0));
    return JSON.parse(new TextDecoder().decode(bytes));
  } catch {
    return null;
  }
}
