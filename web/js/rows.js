// A row of the Security info page's plain lists (app passwords, remembered devices): icon, name,
// "a · b · c" details and one action.

import { h, tid } from "./dom.js";
import { icon } from "./icons.js";
import { button } from "./ui.js";

/** `data` holds the row's data-* attributes; `action` the row's button. */
export function plainRow({ testid, data, iconName, name, nameTestid, meta, action }) {
  return h(
    "li",
    { class: "method-row row-plain", ...tid(testid), ...data },
    h("span", { class: "method-icon" }, icon(iconName, { size: 22 })),
    h(
      "div",
      { class: "method-detail" },
      h("span", { class: "method-name", ...tid(nameTestid) }, name),
      h("span", { class: "method-meta" }, meta.join(" \u00b7 ")),
    ),
    h("div", { class: "method-actions" }, action),
  );
}

/** The red link-button of a row ("Delete", "Forget"). */
export function dangerLink(text, { testid, label, onClick }) {
  return button(text, { variant: "link", class: "btn btn-link btn-link-danger", testid, "aria-label": label, onClick });
}
