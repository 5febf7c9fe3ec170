// "Security questions": answers to questions from the organization's list, for password reset only.
// Flow: GET /me/security-questions -> choose and answer the policy's number -> POST /me/methods
// (registered at once). At reset, the questions asked are answered in one form.

import { ApiError, seg } from "../api.js";
import { describeError } from "../format.js";
import { h, tid } from "../dom.js";
import { button, busy, errorLine, field, showRefusal, uniqueId } from "../ui.js";

const MIN_CHARS = 3;
const normalize = (text) => String(text).normalize("NFKC").toLowerCase().replace(/\s+/g, " ").trim();

export default {
  type: "securityQuestions",
  label: "Security questions",
  summary: "Answer questions only you know, to reset your password. They can't be used to sign in.",
  icon: "info",
  codePrompt: "Answer your security questions.",

  async add({ api, dialog, back }) {
    dialog.setTitle("Security questions");
    dialog.show(h("p", { class: "muted" }, "Loading the questions\u2026"));
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
          h("div", { class: "dialog-actions" }, button("Back", { onClick: () => back() })),
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
    const submit = button("Verify", { variant: "primary", type: "submit", testid: `${testid}-submit` });
    const form = h(
      "form",
      { class: "stack", novalidate: true, ...tid(`${testid}-questions`) },
      h("p", {}, "Answer these questions as you did when you set them up."),
      inputs.map(({ q, input }) => field({ label: q.text, input, id: uniqueId("answer") })),
      error,
      h("div", { class: "dialog-actions" }, submit),
    );
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (inputs.some(({ input }) => !input.value.trim())) {
        error.show("Answer every question.");
        return;
      }
      error.clear();
      const answers = inputs.map(({ q, input }) => ({ questionId: q.questionId, answer: input.value }));
      try {
        const answer = await busy(
          submit,
          () => api.post(`/me/verifications/${seg(verification.verificationId)}`, { answers }),
          "Verifying\u2026",
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
  dialog.setTitle("Security questions");
  const rows = Array.from({ length: list.registerCount }, (_, i) => {
    const select = h(
      "select",
      { class: "input", ...tid("question-select") },
      h("option", { value: "" }, "Choose a question"),
      list.questions.map((q) => h("option", { value: q.questionId }, q.text)),
    );
    const input = h("input", { type: "text", class: "input", maxlength: "200", autocomplete: "off", spellcheck: "false", ...tid("question-answer") });
    return {
      select,
      input,
      nodes: h(
        "div",
        { class: "stack question-row" },
        field({ label: `Question ${i + 1}`, input: select, id: uniqueId("question") }),
        field({ label: "Your answer", input, id: uniqueId("answer") }),
      ),
    };
  });
  const error = errorLine("questions-error");
  const save = button("Done", { variant: "primary", type: "submit", testid: "questions-save" });
  const form = h(
    "form",
    { class: "stack", novalidate: true, ...tid("questions-form") },
    h("p", {}, `Choose ${list.registerCount} questions and answer them. Answers are not case-sensitive. At a password reset you'll answer ${list.answerCount}.`),
    rows.map((r) => r.nodes),
    error,
    h("div", { class: "dialog-actions" }, button("Back", { onClick: () => back() }), save),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const chosen = rows.map((r) => r.select.value);
    const typed = rows.map((r) => normalize(r.input.value));
    if (chosen.some((q) => !q) || new Set(chosen).size !== chosen.length) {
      error.show(`Choose ${list.registerCount} different questions.`);
      return;
    }
    if (typed.some((a) => a.length < MIN_CHARS)) {
      error.show(`Each answer needs at least ${MIN_CHARS} characters.`);
      return;
    }
    if (new Set(typed).size !== typed.length) {
      error.show("Use a different answer for each question.");
      return;
    }
    error.clear();
    const answers = rows.map((r) => ({ questionId: r.select.value, answer: r.input.value }));
    try {
      const answer = await busy(
        save,
        () => api.post("/me/methods", { type: "securityQuestions", answers }, { idempotent: true }),
        "Saving\u2026",
      );
      resolve(answer.method);
    } catch (err) {
      showRefusal(error, err);
    }
  });
  dialog.show(form, { focus: "select" });
}
