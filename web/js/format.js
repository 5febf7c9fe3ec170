// Presentation helpers: labels for method types, dates, and grouping of long secrets.

const TYPE_LABELS = {
  softwareOath: "Authenticator app",
  authenticatorApp: "Authenticator app",
  hardwareOath: "Hardware token",
  phone: "Phone",
  email: "Email",
  securityKey: "Security key",
  securityQuestions: "Security questions",
  recoveryCodes: "Recovery codes",
};

const TYPE_DETAILS = {
  softwareOath: "Time-based one-time password (TOTP)",
  authenticatorApp: "Push notification and codes",
  hardwareOath: "Time-based one-time password (TOTP) token",
};

export const typeLabel = (type) => TYPE_LABELS[type] ?? type;
const PHONE_KINDS = { mobile: "Mobile", alternateMobile: "Alternate mobile", office: "Office" };

/** The second line under a type: for phones and email, which one (masked) and how codes come. */
export function typeDetail(type, method = null) {
  if (type === "phone" && method?.phoneNumber) {
    const how = method.channel === "voice" ? "call" : "text";
    return `${PHONE_KINDS[method.phoneType] ?? "Phone"} ${method.phoneNumber} \u00b7 ${how}`;
  }
  if (type === "email" && method?.emailAddress) return `${method.emailAddress} \u00b7 password reset only`;
  if (type === "recoveryCodes") return `${method?.remaining ?? 0} of ${method?.total ?? 0} left · single use`;
  if (type === "hardwareOath" && method?.serialNumber) {
    const make = [method.manufacturer, method.model].filter(Boolean).join(" ");
    return `${make ? `${make} \u00b7 ` : ""}serial ${method.serialNumber}`;
  }
  if (type === "securityQuestions") return `${method?.questionCount ?? ""} questions \u00b7 password reset only`.trim();
  return TYPE_DETAILS[type] ?? "";
}

const dateFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium" });
const dateTimeFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });

export function formatDate(iso, { withTime = false } = {}) {
  if (!iso) return "";
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return "";
  return (withTime ? dateTimeFormat : dateFormat).format(date);
}

/** "ABCD EFGH IJKL ..." — easier to read and type than 32 characters in a row. */
export const groupInFours = (text) => String(text ?? "").replace(/\s+/g, "").replace(/(.{4})(?=.)/g, "$1 ");

export function minutesFromSeconds(seconds) {
  const minutes = Math.max(1, Math.ceil((seconds ?? 60) / 60));
  return `${minutes} minute${minutes === 1 ? "" : "s"}`;
}

/** A sentence about an ApiError that adds what the user can still do. */
export function describeError(error) {
  if (!error) return "";
  let text = error.message || "Something went wrong. Try again.";
  if (error.status === 423) {
    text = `Too many failed attempts. Verification is locked; try again in ${minutesFromSeconds(error.retryAfter)}.`;
  } else if (error.status === 429 && error.retryAfter != null && !/try again in|wait \d/i.test(text)) {
    // Only when the answer does not say how long to wait already (a push refused for fatigue does).
    text += ` Try again in ${minutesFromSeconds(error.retryAfter)}.`;
  }
  if (error.attemptsLeft != null) {
    text += ` ${error.attemptsLeft} attempt${error.attemptsLeft === 1 ? "" : "s"} left.`;
  }
  return text;
}
