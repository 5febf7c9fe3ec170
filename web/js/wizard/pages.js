// The wizard's pages by `step.page` (docs/API.md), and which section each belongs to (for the progress
// indicator: "Method 1 of 2: App").

import {
  authenticatorDownload,
  authenticatorManual,
  authenticatorQr,
  authenticatorSetup,
  authenticatorTest,
  softwareOathQr,
} from "./authenticator.js";
import { appPasswordName, appPasswordShow, methodChoice, success } from "./more.js";
import { phoneCode, phoneEntry } from "./phone-number.js";
import { recoveryCodesShow } from "./recovery-codes.js";

export const PAGES = {
  authenticatorDownload,
  authenticatorSetup,
  authenticatorQr,
  authenticatorManual,
  authenticatorTest,
  softwareOathQr,
  phoneEntry,
  phoneCode,
  methodChoice,
  appPasswordName,
  appPasswordShow,
  recoveryCodesShow,
  success,
};

export const SECTION_LABELS = {
  authenticatorApp: "App",
  softwareOath: "App",
  phone: "Phone",
  email: "Email",
  securityKey: "Security key",
  appPassword: "App password",
};

/** The section (a `completed` type) a page sets up; null for the choice and the success page. */
export function sectionOf(page) {
  if (page.startsWith("authenticator") || page === "softwareOathQr") return "authenticatorApp";
  if (page.startsWith("phone")) return "phone";
  if (page.startsWith("appPassword")) return "appPassword";
  return null;
}
