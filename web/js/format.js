// Presentation helpers: labels for method types, dates and numbers in the page's language, and
// grouping of long secrets.

import { locale, t } from "./i18n.js";

// Functions, so the label is looked up in the language shown now (the page can switch).
const TYPE_LABELS = {
  softwareOath: () => t("Authenticator app"),
  authenticatorApp: () => t("Authenticator app"),
  hardwareOath: () => t("Hardware token"),
  phone: () => t("Phone"),
  email: () => t("Email"),
  securityKey: () => t("Security key"),
  securityQuestions: () => t("Security questions"),
  recoveryCodes: () => t("Recovery codes"),
};

const TYPE_DETAILS = {
  softwareOath: () => t("Time-based one-time password (TOTP)"),
  authenticatorApp: () => t("Push notification and codes"),
  hardwareOath: () => t("Time-based one-time password (TOTP) token"),
};

export const typeLabel = (type) => TYPE_LABELS[type]?.() ?? type;

/**
 * One name for a method wherever a page names it: "Authenticator app: Work phone", or just
 * "Authenticator app" when its name is its type's (never "Authenticator app: Authenticator app").
 */
export function methodName(method) {
  const label = typeLabel(method?.type);
  const name = String(method?.displayName ?? "").trim();
  if (!name || name.toLowerCase() === label.toLowerCase() || name === TYPE_DEFAULT_NAMES[method?.type]) return label;
  return t("{type}: {name}", { type: label, name });
}

// The names the service gives a method when the user gives none (English, from the server).
const TYPE_DEFAULT_NAMES = { softwareOath: "Authenticator app", authenticatorApp: "Authenticator app" };

const PHONE_KINDS = {
  mobile: () => t("Mobile"),
  alternateMobile: () => t("Alternate mobile"),
  office: () => t("Office"),
};

/** The second line under a type: for phones and email, which one (masked) and how codes come. */
export function typeDetail(type, method = null) {
  if (type === "phone" && method?.phoneNumber) {
    const how = method.channel === "voice" ? t("call") : t("text");
    return `${PHONE_KINDS[method.phoneType]?.() ?? t("Phone")} ${method.phoneNumber} \u00b7 ${how}`;
  }
  if (type === "email" && method?.emailAddress) return `${method.emailAddress} \u00b7 ${t("password reset only")}`;
  if (type === "recoveryCodes") {
    return `${t("{remaining} of {total} left", { remaining: method?.remaining ?? 0, total: method?.total ?? 0 })} \u00b7 ${t("single use")}`;
  }
  if (type === "securityKey" && method) {
    // The model (from the key's AAGUID), whether it is a passkey, and synced or bound to one device.
    const parts = [method.model || t("Security key")];
    if (method.passkey) parts.push(t("passkey"));
    parts.push(method.synced ? t("synced") : t("device-bound"));
    if (method.attested) parts.push(t("attested"));
    return parts.join(" \u00b7 ");
  }
  if (type === "hardwareOath" && method?.serialNumber) {
    const make = [method.manufacturer, method.model].filter(Boolean).join(" ");
    const serial = t("serial {number}", { number: method.serialNumber });
    return make ? `${make} \u00b7 ${serial}` : serial;
  }
  if (type === "securityQuestions") {
    return t("{count} questions \u00b7 password reset only", { count: method?.questionCount ?? 0 });
  }
  return TYPE_DETAILS[type]?.() ?? "";
}

/** A date (or date and time) as the page's language writes it: "5 Jan 2026" in Dutch is "5 jan 2026". */
export function formatDate(iso, { withTime = false } = {}) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  const options = withTime ? { dateStyle: "medium", timeStyle: "short" } : { dateStyle: "medium" };
  return new Intl.DateTimeFormat(locale(), options).format(date);
}

/** A number as the page's language writes it ("1,000" / "1.000"). */
export const formatNumber = (n) => new Intl.NumberFormat(locale()).format(n);

/** "ABCD EFGH IJKL ..." — easier to read and type than 32 characters in a row. */
export const groupInFours = (text) => String(text ?? "").replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");

export function minutesFromSeconds(seconds) {
  const minutes = Math.max(1, Math.ceil((seconds ?? 60) / 60));
  return t("{count} minutes", { count: minutes });
}

// Whether the service's message already says how long to wait (a push refused for fatigue does).
const SAYS_HOW_LONG = /try again in|wait \d|probeer het over|wacht \d/i;

/** A sentence about an ApiError that adds what the user can still do. */
export function describeError(error) {
  if (!error) return "";
  let text = error.message || t("Something went wrong. Try again.");
  if (error.status === 423) {
    text = t("Too many failed attempts. Verification is locked; try again in {minutes}.", { minutes: minutesFromSeconds(error.retryAfter) });
  } else if (error.status === 429 && error.retryAfter != null && !SAYS_HOW_LONG.test(text)) {
    text += ` ${t("Try again in {minutes}.", { minutes: minutesFromSeconds(error.retryAfter) })}`;
  }
  if (error.attemptsLeft != null) {
    text += ` ${t("{count} attempts left.", { count: error.attemptsLeft })}`;
  }
  return text;
}

/** The step's error of the wizard as a sentence, with the attempts left and how long to wait. */
export function describeStepError(error) {
  if (!error) return "";
  let text = error.message || t("That didn't work. Try again.");
  if (typeof error.attemptsLeft === "number") text += ` ${t("{count} attempts left.", { count: error.attemptsLeft })}`;
  if (typeof error.retryAfter === "number" && !SAYS_HOW_LONG.test(text)) {
    text += ` ${t("Try again in {minutes}.", { minutes: minutesFromSeconds(error.retryAfter) })}`;
  }
  return text;
}
