// "Security questions": answers to questions from the organization's list, for password reset only.
// Flow: GET /me/security-questions -> choose and answer the policy's number -> POST /me/methods
// (registered at once). At reset, the questions asked are answered in one form.

import { ApiError, seg } from "../api.js";
import { describeError } from "../format.js";
import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";
import { t } from "../i18n.js";

const MIN_CHARS = 3;
const normalize = (text) => String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

export default {
  type: "securityQuestions",
  get label() {
    return t("Security questions");
  },
  get summary() {
    return t("Answer questions only you know, to reset your password. They can't be used to sign in.");
  },
  icon: "info",
  get codePrompt() {
    return t("Answer your security questions.");
  },

  async add({ api, dialog, back }) {
    dialog.setTitle(t("Security questions"));
    dialog.show(h("p", { class: "muted" }, t("Loading the questions\u2026")));
    let list;
    try {
      list = await api.get("/me/security-questions");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      dialog.show(
        h(
          "div",
          { class: "stack" },
          h("p", { class: "notice notice-error", role: "alert" }, describeError(err)),
          h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => back() })),
        ),
        { focus: "button" },
      );
      return new Promise(() => {});
    }
    return new Promise((resolve) => chooseAndAnswer(api, dialog, back, list, resolve));
  },

  verify({ api, verification, testid, show, onApproved, expired }) {
    const questions = verification.challenge?.questions ?? [];
    const inputs = questions.map((q) => ({
      q,
      input: h("input", { type: "text", class: "input", maxlength: "200", autocomplete: "off", spellcheck: "false", ...tid(`${testid}-answer`) }),
    }));
    const error = errorLine(`${testid}-error`);
    const submit = button(t("Verify"), { variant: "primary", type: "submit", testid: `${testid}-submit` });
    const form = h(
      "form",
      { class: "stack", novalidate: true, ...tid(`${testid}-questions`) },
      h("p", {}, t("Answer these questions as you did when you set them up.")),
      inputs.map(({ q, input }) => field({ label: q.text, input, id: uniqueId("answer") })),
      error,
      h("div", { class: "dialog-actions" }, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (inputs.some(({ input }) => !input.value.trim())) {
        error.show(t("Answer every question."));
        return;
      }
      error.clear();
      const answers = inputs.map(({ q, input }) => ({ questionId: q.questionId, answer: input.value }));
      try {
        const answer = await busy(
          submit,
          () => api.post(`/me/verifications/${seg(verification.verificationId)}`, { answers }),
          t("Verifying\u2026"),
        );
        onApproved(answer);
      } catch (err) {
        if (err instanceof ApiError && err.status === 410) {
          expired(err);
          return;
        }
        if (!(err instanceof ApiError)) throw err;
        error.show(err);
        if (err.status === 423) submit.disabled = true;
      }
    });
    show(form, { focus: "input" });
  },
};

function chooseAndAnswer(api, dialog, back, list, resolve) {
  dialog.setTitle(t("Security questions"));
  const rows = Array.from({ length: list.registerCount }, (_, i) => {
    const select = h(
      "select",
      { class: "input", ...tid("question-select") },
      h("option", { value: "" }, t("Choose a question")),
      list.questions.map((q) => h("option", { value: q.questionId }, q.text)),
    );
    const input = h("input", { type: "text", class: "input", maxlength: "200", autocomplete: "off", spellcheck: "false", ...tid("question-answer") });
    return {
      select,
      input,
      nodes: h(
        "div",
        { class: "stack question-row" },
        field({ label: t("Question {number}", { number: i + 1 }), input: select, id: uniqueId("question") }),
        field({ label: t("Your answer"), input, id: uniqueId("answer") }),
      ),
    };
  });
  const error = errorLine("questions-error");
  const save = button(t("Done"), { variant: "primary", type: "submit", testid: "questions-save" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid("questions-form") },
    h("p", {}, t("Choose {count} questions and answer them. Answers are not case-sensitive. At a password reset you'll answer {answer}.", { count: list.registerCount, answer: list.answerCount })),
    rows.map((r) => r.nodes),
    error,
    h("div", { class: "dialog-actions" }, button(t("Back"), { onClick: () => back() }), save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = rows.map((r) => r.select.value);
    const typed = rows.map((r) => normalize(r.input.value));
    if (chosen.some((q) => !q) || new Set(chosen).size !== chosen.length) {
      error.show(t("Choose {count} different questions.", { count: list.registerCount }));
      return;
    }
    if (typed.some((a) => a.length < MIN_CHARS)) {
      error.show(t("Each answer needs at least {count} characters.", { count: MIN_CHARS }));
      return;
    }
    if (new Set(typed).size !== typed.length) {
      error.show(t("Use a different answer for each question."));
      return;
    }
    error.clear();
    const answers = rows.map((r) => ({ questionId: r.select.value, answer: r.input.value }));
    try {
      const answer = await busy(
        save,
        () => api.post("/me/methods", { type: "securityQuestions", answers }, { idempotent: true }),
        t("Saving\u2026"),
      );
      resolve(answer.method);
    } catch (err) {
      showRefusal(error, err);
    }
  });
  dialog.show(form, { focus: "select" });
}
