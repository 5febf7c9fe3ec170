// The two demo prompts, "Try sign-in" and "Reset password": a page with one narrow card, whose
// panel shows the prompt's head (the brand, the user, the step's title) above each step.

import { h, replace, tid } from "./dom.js";
import { brandMark } from "./ui.js";

/** Draw the page into `main` and return the (empty) panel of its card. */
export function promptPage(main, { viewTestid, panelTestid, title, subtitle, label }) {
  const panel = h("div", { class: "card-body", ...tid(panelTestid) });
  replace(
    main,
    h(
      "div",
      { class: "page", ...tid(viewTestid) },
      h("h1", {}, title),
      h("p", { class: "page-subtitle" }, subtitle),
      h("section", { class: "card card-narrow", "aria-label": label }, panel),
    ),
  );
  return panel;
}

/** The head above each step: the brand, who is signing in, and the step's title. */
export function promptHead(username, title) {
  return h(
    "div",
    { class: "prompt-head" },
    h("div", { class: "sign-in-brand" }, brandMark(), h("span", {}, "Contoso")),
    h("p", { class: "prompt-user" }, username),
    h("h2", {}, title),
  );
}
