// "Keep your account secure": the enrollment wizard (docs/API.md "Enrollment wizard").
// The server runs the workflow and says which page to show (`step.page`) and what it accepts
// (`step.actions`); this module draws the page, sends the answer, and draws whatever comes back
// (the next page, or the same page with `step.error`). The pages live in js/wizard/*.js.

import { ApiError, StepUpCancelled, seg } from "./api.js";
import { h, replace, tid } from "./dom.js";
import { describeError, describeStepError } from "./format.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { brandMark, button } from "./ui.js";
import { PAGES, sectionOf, SECTION_LABELS } from "./wizard/pages.js";

export const WIZARD_ROUTE = "#/keep-your-account-secure";

// --- the sign-in interrupt -------------------------------------------------------------------
// Set at sign-in when the user must register first: until the wizard ends (or is skipped), every
// route shows the wizard. Kept per user in sessionStorage, so a reload does not lose it.

const INTERRUPT_KEY = "securityInfo.wizardAtSignIn";

export const signInInterrupt = {
  set(userId) {
    sessionStorage.setItem(INTERRUPT_KEY, String(userId));
  },
  clear() {
    sessionStorage.removeItem(INTERRUPT_KEY);
  },
  active(userId) {
    return Boolean(userId) && sessionStorage.getItem(INTERRUPT_KEY) === String(userId);
  },
};

/**
 * Whether sign-in should show the wizard first: a wizard is running, or the sign-in service says
 * registration is required (`registrationRequired` respects "Skip for now"); the Security info
 * overview's `registration.required` when the sign-in service cannot be asked.
 */
export async function wizardNeeded(api, signInStatus) {
  try {
    const running = await api.get("/me/enrollment");
    if (running?.status === "running") return true;
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
  }
  try {
    const status = await signInStatus();
    if (typeof status?.registrationRequired === "boolean") return status.registrationRequired;
  } catch {
    // fall back to the user's own view
  }
  try {
    const info = await api.get("/me/security-info");
    return Boolean(info?.registration?.required);
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return false; // never lock someone out of the page because a check failed
  }
}

// --- the view --------------------------------------------------------------------------------

/**
 * Draw the wizard into `main`.
 * @param {object} options
 * @param {import("./api.js").Api} options.api
 * @param {HTMLElement} options.main
 * @param {boolean} options.atSignIn  shown at sign-in (leave by "Skip for now" or "Sign out") or
 *   opened from the Security info page (also "Finish later").
 * @param {(how: "done"|"snoozed"|"nothing"|"left") => void} options.onLeave
 * @param {() => void} options.onSignOut
 */
export function wizardView(options) {
  new Wizard(options).open();
}

class Wizard {
  constructor({ api, main, atSignIn, onLeave, onSignOut }) {
    Object.assign(this, { api, main, atSignIn, onLeave, onSignOut });
    this.missing = [];
    this.answer = null;
    this.trail = []; // pages this section went through, for Back (the server keeps the truth)
    this.drafts = new Map(); // what the user typed on a page (never codes), kept across an error
    this.root = h("div", { class: "wizard", ...tid("wizard") });
    this.card = h("section", { class: "wizard-card", "aria-labelledby": "wizard-title" });
    this.below = h("div", { class: "wizard-below" });
    this.root.append(this.card, this.below);
  }

  get alive() {
    return this.root.isConnected;
  }

  async open() {
    replace(this.main, this.root);
    this.loading(t("Getting your security info ready\u2026"));
    try {
      const info = await this.api.get("/me/security-info");
      this.missing = info?.registration?.missing ?? [];
      let answer = null;
      try {
        answer = await this.api.get("/me/enrollment");
      } catch (err) {
        if (!(err instanceof ApiError) || err.status !== 404) throw err;
      }
      if (answer?.status !== "running") {
        if (!info?.registration?.required) {
          this.onLeave("nothing");
          return;
        }
        answer = await this.api.post("/me/enrollment", {});
      }
      if (this.alive) this.show(answer);
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
      if (this.alive) this.problem(err, () => this.open());
    }
  }

  /** Draw an answer of GET/POST /me/enrollment or of a step. */
  show(answer, { notice = null } = {}) {
    const before = this.answer;
    this.answer = answer;
    switch (answer?.status) {
      case "running":
        break;
      case "succeeded":
        this.onLeave("done");
        return;
      case "snoozed":
        this.onLeave("snoozed");
        return;
      case "expired":
        this.expired();
        return;
      default:
        this.problem(new ApiError(500, { message: t("Setting up your security info stopped. Start again.") }), () => this.restart());
        return;
    }
    const step = answer.step;
    const sameSection = before?.step && (before.completed ?? []).length === (answer.completed ?? []).length;
    if (!sameSection) {
      this.trail = [];
      this.drafts.clear(); // a new section starts empty (the number just registered is not offered again)
    }
    this.drawStep(step, notice);
  }

  drawStep(step, notice) {
    const render = PAGES[step.page];
    if (!render) {
      this.problem(new ApiError(500, { message: t("This page ({page}) can't be shown here. Reload to try again.", { page: step.page }) }), () => this.reload());
      return;
    }
    const actions = new Set(step.actions ?? []);
    const ctx = {
      api: this.api,
      step,
      actions,
      error: describeStepError(step.error),
      errorCode: step.error?.code ?? null,
      canGoBack: actions.has("back") && (this.trail.length > 0 || !SECTION_STARTS.has(step.page)),
      draft: this.drafts.get(step.page) ?? {},
      keepDraft: (value) => this.drafts.set(step.page, value),
      submit: (action, input = {}, control = null) => this.submit(action, input, control),
      signIn: this.atSignIn,
      completed: this.answer?.completed ?? [],
    };
    const page = render(ctx);
    const section = step.page === "success" ? null : sectionOf(step.page);
    replace(
      this.card,
      wizardHead(
        "header",
        h(
          "p",
          { class: "wizard-subtitle" },
          t("Your organization requires you to set up the following methods of proving who you are."),
        ),
        this.progress(step.page, section),
      ),
      notice && h("p", { class: "notice notice-info wizard-notice", role: "status" }, notice),
      h("div", { class: "wizard-page", "data-page": step.page, ...tid("wizard-page") }, page.node),
    );
    this.drawBelow(actions);
    const pageEl = this.card.querySelector(".wizard-page");
    const focus = [page.focus].flat().filter(Boolean).map((selector) => pageEl.querySelector(selector)).find(Boolean);
    (focus ?? pageEl.querySelector("h2"))?.focus();
  }

  /** "Method 1 of 2: App" and a stepper of the sections. */
  progress(page, current) {
    const completed = this.answer?.completed ?? [];
    const done = page === "success";
    const rest = [];
    for (const type of this.missing) {
      if (!completed.includes(type) && type !== current && !rest.includes(type)) rest.push(type);
    }
    const label = (type) => SECTION_LABELS[type]?.() ?? t("Method");
    const labels = completed.map(label);
    if (!done) labels.push(SECTION_LABELS[current] ? label(current) : label(rest.shift()));
    labels.push(...rest.map(label));
    const total = labels.length;
    const index = Math.min(completed.length, total - 1);
    const caption = done
      ? t("All methods set up")
      : t("Method {number} of {total}: {label}", { number: index + 1, total, label: labels[index] });
    return h(
      "div",
      { class: "wizard-progress", ...tid("wizard-progress") },
      h("p", { class: "wizard-progress-caption", ...tid("wizard-progress-caption") }, caption),
      h(
        "ol",
        { class: "stepper", "aria-label": t("Progress") },
        labels.map((label, i) => {
          const state = done || i < index ? "done" : i === index ? "current" : "todo";
          return h(
            "li",
            { class: `stepper-item stepper-${state}`, "aria-current": state === "current" ? "step" : null },
            h("span", { class: "stepper-dot", "aria-hidden": "true" }, state === "done" ? icon("check", { size: 14 }) : String(i + 1)),
            h("span", { class: "stepper-label" }, label, state === "done" ? h("span", { class: "visually-hidden" }, t(" (done)")) : null),
          );
        }),
      ),
    );
  }

  /** Under the card: the ways to leave. */
  drawBelow(actions) {
    const links = [];
    if (actions.has("done")) {
      replace(this.below); // the success page: Done is the way on
      return;
    }
    if (actions.has("skip")) {
      links.push(
        button(t("Skip for now"), {
          variant: "link",
          testid: "wizard-skip",
          onClick: (event) => this.submit("skip", {}, event.currentTarget),
        }),
      );
    }
    if (!this.atSignIn) {
      links.push(button(t("Finish later"), { variant: "link", testid: "wizard-leave", title: t("Go to Security info; you can come back to this wizard"), onClick: () => this.onLeave("left") }));
    } else if (!actions.has("skip")) {
      links.push(button(t("Sign out"), { variant: "link", testid: "wizard-sign-out", onClick: () => this.onSignOut() }));
    }
    replace(this.below, links);
  }

  async submit(action, input, control) {
    const step = this.answer?.step;
    if (!step || this.sending) return;
    this.sending = true;
    this.card.setAttribute("aria-busy", "true");
    const controls = [...this.root.querySelectorAll("button, input, select")];
    const wasDisabled = controls.map((c) => c.disabled);
    controls.forEach((c) => (c.disabled = true));
    const label = control?.textContent;
    if (control && control.classList.contains("btn-primary")) control.textContent = t("Please wait\u2026");
    let answer = null;
    let failure = null;
    try {
      answer = await this.api.post(`/me/enrollment/steps/${seg(step.id)}`, { action, ...input });
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
      failure = err;
    } finally {
      this.sending = false;
      this.card.removeAttribute("aria-busy");
      controls.forEach((c, i) => (c.disabled = wasDisabled[i]));
      if (control && label !== undefined) control.textContent = label;
    }
    if (!this.alive) return;
    if (answer) {
      const samePage = answer.step?.page === step.page;
      if (action === "back") this.trail.pop();
      else if (!samePage) this.trail.push(step.page);
      this.show(answer);
      return;
    }
    if (failure.status === 409) {
      await this.reload(t("This page was out of date, so we showed you where you are now."));
    } else if (failure.status === 410) {
      this.expired();
    } else {
      // Refused before the workflow saw it (bad input, a network error): say so on this page.
      this.drawStep({ ...step, error: { message: describeError(failure) } });
    }
  }

  async reload(notice = null) {
    try {
      const answer = await this.api.get("/me/enrollment");
      if (this.alive) this.show(answer, { notice });
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      if (this.alive) this.problem(err, () => this.open());
    }
  }

  async restart() {
    this.trail = [];
    this.drafts.clear();
    this.loading(t("Starting again\u2026"));
    try {
      const answer = await this.api.post("/me/enrollment", {});
      if (this.alive) this.show(answer);
    } catch (err) {
      if (!(err instanceof ApiError) && !(err instanceof StepUpCancelled)) throw err;
      if (this.alive) this.problem(err, () => this.restart());
    }
  }

  loading(text) {
    replace(
      this.card,
      wizardHead("div"),
      h("p", { class: "muted wizard-loading", role: "status", "aria-busy": "true" }, text),
    );
    this.drawBelow(new Set());
  }

  expired() {
    this.answer = null;
    this.message({
      testid: "wizard-expired",
      title: t("Your session timed out"),
      text: t("You didn't finish a step in time, so we stopped setting up your security info. Anything you hadn't finished wasn't kept; what you completed is saved."),
      again: t("Start again"),
      onAgain: () => this.restart(),
    });
  }

  problem(err, retry) {
    const text =
      err instanceof StepUpCancelled
        ? t("To change your security info, first verify it's you with a method you already have.")
        : describeError(err);
    this.message({ testid: "wizard-problem", title: t("We couldn't continue"), text, again: t("Try again"), onAgain: retry, alert: true });
  }

  message({ testid, title, text, again, onAgain, alert = false }) {
    replace(
      this.card,
      wizardHead("header"),
      h(
        "div",
        { class: "wizard-page wizard-message", ...tid(testid) },
        h("div", { class: "wizard-message-icon", "aria-hidden": "true" }, icon("warning", { size: 28 })),
        h("h2", { tabindex: "-1" }, title),
        h("p", { role: alert ? "alert" : null }, text),
        h("div", { class: "wizard-actions wizard-actions-center" }, button(again, { variant: "primary", testid: `${testid}-again`, onClick: onAgain })),
      ),
    );
    this.drawBelow(new Set());
    this.card.querySelector("h2")?.focus();
  }
}

/** The wizard's head (`tag`: header, or div while loading): the brand and the title, then `more`. */
function wizardHead(tag, ...more) {
  return h(
    tag,
    { class: "wizard-head" },
    h("div", { class: "wizard-brand" }, brandMark(), h("span", {}, "Contoso")),
    h("h1", { id: "wizard-title", class: "wizard-title" }, t("Keep your account secure")),
    more,
  );
}

// Pages a section starts on: Back there only once this section has gone through another page.
const SECTION_STARTS = new Set(["phoneEntry", "methodChoice", "softwareOathQr", "appPasswordName"]);
