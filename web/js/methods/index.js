// The method types this page can add, one module per type. A new type is a new module here; the
// Security info view lists exactly these in "Add sign-in method" (nothing that does not work yet).

import authenticatorApp from "./authenticator-app.js";
import email from "./email.js";
import hardwareOath from "./hardware-oath.js";
import phone from "./phone.js";
import recoveryCodes from "./recovery-codes.js";
import securityKey from "./security-key.js";
import securityQuestions from "./security-questions.js";
import softwareOath from "./software-oath.js";
import { t } from "../i18n.js";

export const ADDABLE = [authenticatorApp, softwareOath, hardwareOath, phone, securityKey, email, securityQuestions];

// Recovery codes are made under Security info > Recovery codes, not added: known, not addable.
const BY_TYPE = new Map([...ADDABLE, recoveryCodes].map((m) => [m.type, m]));

export const moduleFor = (type) => BY_TYPE.get(type) ?? null;

/** A type's own sign-in step (push, security key) instead of the code form, or null. */
export const verifierFor = (type) => moduleFor(type)?.verify ?? null;

/** How many digits a type's codes have (a hardware token: 6 or 8), for the code forms. */
export const codeDigitsFor = (type) => moduleFor(type)?.codeDigits ?? 6;

/** What the step-up and sign-in dialogs ask for, by the verification's method type. */
export function codePromptFor(type) {
  return moduleFor(type)?.codePrompt ?? t("Enter the code for this method.");
}
