// The fetch wrapper every view uses: bearer token, JSON in and out, contract errors as ApiError,
// and one hook that turns a 403 step_up_required into "verify your identity, then retry".

import { language, t } from "./i18n.js";

/** An error answer of the API (`{"error": {code, message, ...}}`), or a network failure (status 0). */
export class ApiError extends Error {
  constructor(status, error = {}) {
    super(error.message || t("The service answered {status}.", { status: String(status) }));
    this.name = "ApiError";
    this.status = status;
    this.code = error.code || (status === 0 ? "network_error" : "http_" + status);
    this.field = error.field ?? null;
    this.attemptsLeft = typeof error.attemptsLeft === "number" ? error.attemptsLeft : null;
    this.retryAfter = typeof error.retryAfter === "number" ? error.retryAfter : null;
  }
}

/** Thrown when the user closes the "Verify your identity" dialog instead of verifying. */
export class StepUpCancelled extends Error {
  constructor() {
    super(t("Verification was cancelled, so nothing was changed."));
    this.name = "StepUpCancelled";
  }
}

export class Api {
  /**
   * @param {object} hooks
   * @param {() => Promise<{token: string, expiresAt: string|null}>} [hooks.stepUp]
   *   asks the user to verify; resolves with a step-up token or rejects with StepUpCancelled.
   * @param {(error: ApiError) => void} [hooks.unauthorized] the session is gone (401).
   */
  constructor({ baseUrl = "", stepUp = null, unauthorized = null } = {}) {
    this.baseUrl = baseUrl;
    this.stepUpHook = stepUp;
    this.unauthorizedHook = unauthorized;
    // The step-up token lives in memory only: a reload asks again, which is the safer default.
    this.stepUpToken = null;
    this.stepUpExpiresAt = 0;
    this.pendingStepUp = null;
    // `{accessToken, idToken, userId, username}` from the sign-in (oidc.js); in memory only, so
    // no script running later in this origin can read a token out of storage.
    this.session = null;
  }

  // --- session -------------------------------------------------------------------------------

  get signedIn() {
    return Boolean(this.session?.accessToken);
  }

  signOut() {
    this.session = null;
    this.forgetStepUp();
  }

  // --- step-up -------------------------------------------------------------------------------

  hasStepUp() {
    // A minute of margin so a token does not expire between sending and the server's check.
    return Boolean(this.stepUpToken) && Date.now() < this.stepUpExpiresAt - 60_000;
  }

  rememberStepUp(token, expiresAt) {
    this.stepUpToken = token;
    const parsed = Date.parse(expiresAt ?? "");
    this.stepUpExpiresAt = Number.isNaN(parsed) ? Date.now() + 9 * 60_000 : parsed;
  }

  forgetStepUp() {
    this.stepUpToken = null;
    this.stepUpExpiresAt = 0;
  }

  /** One dialog for any number of calls that need a step-up at the same moment. */
  async obtainStepUp() {
    if (!this.stepUpHook) throw new StepUpCancelled();
    if (!this.pendingStepUp) {
      this.pendingStepUp = Promise.resolve()
        .then(() => this.stepUpHook())
        .then(({ token, expiresAt }) => this.rememberStepUp(token, expiresAt))
        .finally(() => {
          this.pendingStepUp = null;
        });
    }
    await this.pendingStepUp;
  }

  // --- requests ------------------------------------------------------------------------------

  /**
   * Send one request. `idempotent: true` adds an Idempotency-Key, kept across the step-up retry
   * (the first try was refused before anything was done, so it is the same request).
   */
  async request(method, path, { body, auth = true, idempotent = false, stepUpRetry = true } = {}) {
    // The service answers its error messages in the page's language (the code stays the same).
    const headers = { Accept: "application/json", "Accept-Language": language() };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (auth && this.session?.accessToken) headers.Authorization = `Bearer ${this.session.accessToken}`;
    if (idempotent) headers["Idempotency-Key"] = crypto.randomUUID();

    for (let attempt = 0; ; attempt++) {
      if (auth && method !== "GET" && this.hasStepUp()) headers["X-Step-Up-Token"] = this.stepUpToken;
      else delete headers["X-Step-Up-Token"];

      const response = await send(this.baseUrl + path, {
        method,
        headers,
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const data = await readJson(response);
      if (response.ok) return data;

      const error = new ApiError(response.status, data?.error);
      if (response.status === 401 && auth) {
        this.unauthorizedHook?.(error);
      }
      if (error.code === "step_up_required" && stepUpRetry && attempt === 0) {
        // A token we thought valid was refused (expired, or another tab's policy): drop it.
        this.forgetStepUp();
        await this.obtainStepUp();
        continue;
      }
      throw error;
    }
  }

  get(path) {
    return this.request("GET", path);
  }
  post(path, body = {}, options = {}) {
    return this.request("POST", path, { body, ...options });
  }
  patch(path, body) {
    return this.request("PATCH", path, { body });
  }
  put(path, body) {
    return this.request("PUT", path, { body });
  }
  delete(path) {
    return this.request("DELETE", path);
  }
}

async function send(url, init) {
  try {
    return await fetch(url, init);
  } catch {
    throw new ApiError(0, { message: t("Could not reach the service. Check your connection and try again.") });
  }
}

async function readJson(response) {
  if (response.status === 204) return null;
  const text = await response.text();
  if (!text) return null;
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}

/** The path segment for an id from the server, so an odd id can never change the route. */
export const seg = (id) => encodeURIComponent(String(id));
