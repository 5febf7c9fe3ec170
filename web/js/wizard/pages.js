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
import { t } from "../i18n.js";

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

// Functions: each label is looked up in the language shown now.
export const SECTION_LABELS = {
  authenticatorApp: () => t("App"),
  softwareOath: () => t("App"),
  phone: () => t("Phone"),
  email: () => t("Email"),
  securityKey: () => t("Security key"),
  appPassword: () => t("App password"),
};

/** The section (a `completed` type) a page sets up; null for the choice and the success page. */
export function sectionOf(page) {
  if (page.startsWith("authenticator") || page === "softwareOathQr") return "authenticatorApp";
  if (page.startsWith("phone")) return "phone";
  if (page.startsWith("appPassword")) return "appPassword";
  return null;
}
