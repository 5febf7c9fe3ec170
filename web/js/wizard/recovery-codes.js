// The wizard's last page before success when the policy offers recovery codes: the new set, shown
// once (the read that shows it removes it), with Copy.

import { h, tid } from "../dom.js";
import { copyButton } from "./authenticator.js";
import { keyArt, pageFrame } from "./common.js";
import { t } from "../i18n.js";

// Every string of this page, together; looked up when used, in the language shown now.
export const TEXT = {
  get section() { return t("Recovery codes"); },
  get title() { return t("Save your recovery codes"); },
  get intro() { return t("If you lose your phone, sign in with one of these codes instead. Each works once. Save them now: they won't be shown again."); },
  get gone() { return t("These codes were already shown and aren't kept anywhere. You can create a new set on the Security info page."); },
  get listLabel() { return t("Recovery codes"); },
  get copyWhat() { return t("recovery codes"); },
  get next() { return t("Next"); },
};

export function recoveryCodesShow(ctx) {
  const codes = ctx.step.codes;
  const body = Array.isArray(codes) && codes.length
    ? [
        h("p", {}, TEXT.intro),
        h(
          "ol",
          { class: "recovery-code-list", "aria-label": TEXT.listLabel, ...tid("wizard-recovery-codes") },
          codes.map((code) => h("li", {}, h("code", { class: "secret", ...tid("wizard-recovery-code") }, code))),
        ),
        copyButton(codes.join("\n"), TEXT.copyWhat),
      ]
    : [h("p", { class: "notice notice-warning", ...tid("wizard-recovery-codes-gone") }, TEXT.gone)];
  return pageFrame(ctx, { section: TEXT.section, art: keyArt(), title: TEXT.title, body, next: { label: TEXT.next } });
}
