// The sign-in service's part of the "Try sign-in" demo: keep the remembered-device token on this
// device (localStorage, like a "don't ask again" cookie) and ask POST /signin/mfa-status whether the
// second step is needed. That route is server to server (IAM in AWS); locally the demo gets the
// sign-in service's token from /local/token, which exists only in the local runtime.

import { language } from "./i18n.js";

const keyFor = (userId) => `securityInfo.rememberedDevice.${userId}`;

export function rememberedToken(userId) {
  try {
    return localStorage.getItem(keyFor(userId));
  } catch {
    return null;
  }
}

export function keepRememberedToken(userId, token) {
  try {
    localStorage.setItem(keyFor(userId), token);
  } catch {
    // Storage refused (private mode): the device simply is not remembered.
  }
}

export function dropRememberedToken(userId) {
  try {
    localStorage.removeItem(keyFor(userId));
  } catch {
    // nothing kept, nothing to drop
  }
}

async function postJson(path, body, token = null) {
  const headers = { "Content-Type": "application/json", Accept: "application/json", "Accept-Language": language() };
  if (token) headers.Authorization = `Bearer ${token}`;
  const response = await fetch(path, { method: "POST", headers, body: JSON.stringify(body) });
  if (!response.ok) throw new Error(`${path} answered ${response.status}`);
  return response.json();
}

/** `{mfaRequired, registrationRequired, defaultMethod, locked}` for the user, as the sign-in service sees it. */
export async function mfaStatus(userId) {
  const { accessToken } = await postJson("/local/token", { service: true });
  const body = { userId };
  const token = rememberedToken(userId);
  if (token) body.rememberDeviceToken = token;
  return postJson("/signin/mfa-status", body, accessToken);
}

/** The sign-in service's usernameless passkey options: `{challengeId, publicKey}` (no allowCredentials). */
export async function passkeyOptions() {
  const { accessToken } = await postJson("/local/token", { service: true });
  return postJson("/signin/passkey/options", {}, accessToken);
}

/**
 * The sign-in service's check of a passkey's answer: `{userId, methodId, userVerified}`, or an
 * error whose `status` is 400 (not verified), 410 (challenge used or expired) or 423 (locked).
 */
export async function passkeyVerify(challengeId, credential) {
  const { accessToken } = await postJson("/local/token", { service: true });
  const response = await fetch("/signin/passkey/verify", {
    method: "POST",
    headers: { "Content-Type": "application/json", Accept: "application/json", Authorization: `Bearer ${accessToken}` },
    body: JSON.stringify({ challengeId, credential }),
  });
  const data = await response.json().catch(() => null);
  if (!response.ok) {
    const error = new Error(data?.error?.message ?? `The passkey check answered ${response.status}`);
    error.status = response.status;
    throw error;
  }
  return data;
}
