"""``securityQuestions``: answers to questions from the organization's list, for password reset only.

Registered at once (the answers are the proof). Answers are normalized (Unicode NFKC, case,
spacing) and stored only as scrypt hashes with a random salt each; at reset the policy's number of
questions is asked, picked at random from the user's set, and all must be right.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from typing import TYPE_CHECKING, Any

from securityinfo.kernel.errors import InvalidCode, InvalidField
from securityinfo.kernel.i18n import t
from securityinfo.kernel.validation import DISPLAY_NAME, Field
from securityinfo.methods.base import SSPR, MethodContext, MethodKind, Proof, Registered
from securityinfo.storage.models import (
    AnswerHash,
    MethodItem,
    ProfileItem,
    RegistrationItem,
    SecurityQuestionsMethodItem,
    VerificationItem,
    map_data,
)

if TYPE_CHECKING:  # handed in by the caller (the policy sits above the types)
    from securityinfo.policy.model import Policy

# scrypt cost: 16 MiB and tens of milliseconds per answer, so a stolen table is slow to guess at.
SCRYPT_N = 2**14
SCRYPT_R = 8
SCRYPT_P = 1
MIN_ANSWER_CHARS = 3

ANSWERS = Field(
    list,
    required=True,
    min_len=1,
    max_len=10,
    items=Field(
        dict,
        schema={
            "questionId": Field(str, required=True, min_len=1, max_len=64),
            "answer": Field(str, required=True, min_len=1, max_len=200),
        },
    ),
)
_SPACES = re.compile(r"\s+")


def normalize(answer: str) -> str:
    """The form that is hashed: "  Blue  Whale" and "blue whale" are the same answer."""
    return _SPACES.sub(" ", unicodedata.normalize("NFKC", answer).casefold()).strip()


def hash_answer(answer: str, salt: bytes) -> bytes:
    return hashlib.scrypt(normalize(answer).encode(), salt=salt, n=SCRYPT_N, r=SCRYPT_R, p=SCRYPT_P, dklen=32)


def questions_overview(policy: Policy) -> dict[str, Any]:
    """GET /me/security-questions: the organization's list and how many to register and answer."""
    return {
        "questions": policy.questions,
        "registerCount": policy.questions_to_register,
        "answerCount": policy.questions_to_answer,
    }


class SecurityQuestions(MethodKind):
    type_name = "securityQuestions"
    usable_for = (SSPR,)
    limit_group = "securityQuestions"
    limit = 1
    limit_counters = {"securityQuestions": ProfileItem.questions_count}
    words = "set of security questions"
    label = "Security questions"
    registration_schema = {"answers": ANSWERS, "displayName": DISPLAY_NAME}
    completion_schema = {}  # registered at once: nothing to complete
    verification_schema = {"answers": ANSWERS}
    default_display_name = "Security questions"
    registers_at_once = True

    def strength(self, method: MethodItem) -> int:
        return 1000  # not MFA-capable; never a default

    def begin_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> dict[str, Any]:
        raise NotImplementedError("security questions register at once (registers_at_once)")

    def complete_registration(
        self, ctx: MethodContext, reg: RegistrationItem, data: dict[str, Any]
    ) -> Registered:
        """Check the chosen questions and answers, and hash each answer."""
        policy = ctx.policy
        wanted = policy.questions_to_register
        answers: list[dict[str, str]] = data["answers"]
        if len(answers) != wanted:
            raise InvalidField(
                t("Answer exactly {count} different questions.", count=wanted), field="answers"
            )
        texts = {q["questionId"]: q["text"] for q in policy.questions}
        seen_questions: set[str] = set()
        seen_answers: set[str] = set()
        stored: list[AnswerHash] = []
        for i, entry in enumerate(answers):
            question_id, answer = entry["questionId"], entry["answer"]
            if question_id not in texts:
                raise InvalidField(
                    "That is not one of your organization's questions; choose from the list.",
                    field=f"answers[{i}].questionId",
                )
            if question_id in seen_questions:
                raise InvalidField(
                    "Choose a different question for each answer.",
                    field=f"answers[{i}].questionId",
                )
            normalized = normalize(answer)
            if len(normalized) < MIN_ANSWER_CHARS:
                raise InvalidField(
                    t("Each answer needs at least {count} characters.", count=MIN_ANSWER_CHARS),
                    field=f"answers[{i}].answer",
                )
            if normalized in seen_answers:
                raise InvalidField(
                    "Use a different answer for each question.",
                    field=f"answers[{i}].answer",
                )
            seen_questions.add(question_id)
            seen_answers.add(normalized)
            salt = os.urandom(16)
            stored.append(
                AnswerHash(
                    question_id=question_id,
                    text=texts[question_id],
                    salt=salt,
                    digest=hash_answer(answer, salt),
                )
            )
        return Registered(method=SecurityQuestionsMethodItem(answers=stored))

    def start_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        answers = _answers(method)
        count = min(ctx.policy.questions_to_answer, len(answers))
        asked = secrets.SystemRandom().sample(answers, count)
        verification.data = {"questionIds": [a.question_id for a in asked]}
        return {"questions": [{"questionId": a.question_id, "text": a.text} for a in asked]}

    def challenge(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem
    ) -> dict[str, Any]:
        asked = _asked(verification)
        by_id = {a.question_id: a for a in _answers(method)}
        return {"questions": [{"questionId": q, "text": by_id[q].text} for q in asked if q in by_id]}

    def check_verification(
        self, ctx: MethodContext, method: MethodItem, verification: VerificationItem, data: dict[str, Any]
    ) -> Proof:
        asked = _asked(verification)
        given = {entry["questionId"]: entry["answer"] for entry in data["answers"]}
        if sorted(given) != sorted(asked) or len(given) != len(data["answers"]):
            raise InvalidField("Answer each of the questions you were asked, once.", field="answers")
        by_id = {a.question_id: a for a in _answers(method)}
        right = True
        for question_id in asked:  # every answer is checked, so timing does not say which was wrong
            stored = by_id[question_id]
            right &= hmac.compare_digest(hash_answer(given[question_id], stored.salt), stored.digest)
        if not right:
            raise InvalidCode("One or more answers are not right. Check them and try again.")
        return Proof()

    def describe(self, method: MethodItem) -> dict[str, Any]:
        if not isinstance(method, SecurityQuestionsMethodItem):
            return {}
        return {"questionCount": len(method.answers)}


def _answers(method: MethodItem) -> list[AnswerHash]:
    if not isinstance(method, SecurityQuestionsMethodItem):
        raise TypeError("not a securityQuestions method")
    return list(method.answers)


def _asked(verification: VerificationItem) -> list[str]:
    return [str(q) for q in map_data(verification.data).get("questionIds") or []]
