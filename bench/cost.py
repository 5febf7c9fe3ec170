"""Monthly AWS cost of Security Info per service (``make cost``), for 10k, 100k and 1M monthly active
users. Three data files beside this script feed it (bench/cost/):

- calls.json: the AWS calls and DynamoDB request units of one request per operation, written by
  ``make bench`` (so the cost follows the code: a change that adds a call shows up here);
- profile.json: the usage assumptions (sign-ins per user, method mix, registrations, what is kept);
- prices.json: us-east-1 list prices, with the date and where they came from.

The cost of a user is the sum over activities of (times per month x the AWS calls of that
activity's operations x their prices), plus what is paid per month whatever the traffic (keys,
secrets, alarms, metrics, idle queue polling). Free tiers are left out: at these sizes they are noise.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent / "cost"
MONTH_SECONDS = 730 * 3600


@dataclass(frozen=True)
class Step:
    """One bench operation as part of an activity: how many API requests it is, and how its SNS
    publishes are billed (the bench counts SNS:Publish without telling a text from a topic)."""

    operation: str
    api_requests: int = 1
    sns_publish: str = "none"  # "sms", "topic" (a call or email via the senders), "push"


# What a user does, as bench operations. An operation not in calls.json fails loudly: run make bench.
SIGN_IN_BY_METHOD: dict[str, list[Step]] = {
    "authenticatorPush": [
        # Start, the app's pending poll and approval, and the page collecting the result.
        Step("Push round trip: start + device approval + collect (mfa)", api_requests=4, sns_publish="push")
    ],
    "authenticatorCode": [
        Step("POST /me/verifications (mfa, Idempotency-Key)"),
        Step("POST /me/verifications/{id} (TOTP, mfa)"),
    ],
    "textMessage": [
        Step("POST /me/verifications (phone, sends an SMS)", sns_publish="sms"),
        Step("POST /me/verifications/{id} (phone code)"),
    ],
    "securityKey": [
        Step("POST /me/verifications (mfa, Idempotency-Key)"),
        Step("POST /me/verifications/{id} (security key assertion, mfa)"),
    ],
    "email": [
        Step("POST /me/methods (email, via the delivery topic)", sns_publish="topic"),
        Step("POST /me/verifications/{id} (phone code)"),
    ],
}
REGISTRATION_BY_METHOD: dict[str, list[Step]] = {
    "authenticatorApp": [
        Step("POST /me/methods (softwareOath, Idempotency-Key)"),
        Step("POST /me/methods/registrations/{id} (first method)"),
    ],
    "phone": [
        Step("POST /me/methods (phone, sends an SMS)", sns_publish="sms"),
        Step("POST /me/methods/registrations/{id} (phone code)"),
    ],
    "email": [
        Step("POST /me/methods (email, via the delivery topic)", sns_publish="topic"),
        Step("POST /me/methods/registrations/{id} (phone code)"),
    ],
    "securityQuestions": [Step("POST /me/methods (securityQuestions, 3 scrypt hashes)")],
}
NOTICE = Step("notify_user (1 event, texts to 1 phone)", api_requests=0, sns_publish="sms")
MFA_STATUS = Step("POST /signin/mfa-status (remembered device)")
APP_PASSWORD_CHECK = Step("POST /signin/app-password-check (1 app password)")
PAGE_VIEW = Step("GET /me/security-info")
CHANGE = Step("PATCH /me/methods/{id} (rename)")
PASSWORD_RESET = [
    Step("POST /me/verifications (mfa, Idempotency-Key)"),
    Step("POST /me/verifications/{id} (3 security answers, sspr)"),
]

SERVICES = [
    "API Gateway",
    "Lambda",
    "DynamoDB",
    "KMS",
    "Secrets Manager",
    "EventBridge",
    "SNS text messages",
    "SNS topic and push",
    "SES",
    "SQS",
    "Step Functions",
    "CloudWatch",
    "X-Ray",
]


def load(name: str, folder: Path = HERE) -> dict[str, Any]:
    return dict(json.loads((folder / name).read_text(encoding="utf-8")))


def activities(profile: dict[str, Any]) -> list[tuple[float, Step]]:
    """(times per user per month, step) for everything a user does."""
    per_user = profile["perUserPerMonth"]
    out: list[tuple[float, Step]] = []
    sign_ins = per_user["signIns"]
    out.append((sign_ins, MFA_STATUS))  # the sign-in service asks on every sign-in
    mfa = sign_ins * per_user["shareOfSignInsWithMfa"]
    for method, share in profile["mfaMethodMix"].items():
        out += [(mfa * share, step) for step in SIGN_IN_BY_METHOD[method]]
    out.append((per_user["appPasswordChecks"], APP_PASSWORD_CHECK))
    out.append((per_user["securityInfoPageViews"], PAGE_VIEW))
    registrations = per_user["methodRegistrations"]
    for method, share in profile["registrationMix"].items():
        out += [(registrations * share, step) for step in REGISTRATION_BY_METHOD[method]]
    out.append((per_user["methodChanges"], CHANGE))
    out += [(per_user["passwordResets"], step) for step in PASSWORD_RESET]
    changes = registrations + per_user["methodChanges"]
    out.append((changes * profile["changeNoticesPerChange"], NOTICE))
    return out


def monthly_cost(
    users: int, calls: dict[str, Any], profile: dict[str, Any], prices: dict[str, float]
) -> dict[str, float]:
    """Cost per service (USD per month) for ``users`` monthly active users."""
    p = prices
    cost: dict[str, float] = defaultdict(float)
    api_requests = lambda_invocations = 0.0
    kms_calls = secret_calls = events = sms = publishes = pushes = emails = 0.0
    read_units = write_units = 0.0
    operations = calls["operations"]
    for per_user, step in activities(profile):
        if step.operation not in operations:
            raise KeyError(f"{step.operation!r} is not in calls.json: run make bench")
        times = per_user * users
        measured = operations[step.operation]
        by_call: dict[str, int] = measured["calls"]
        api_requests += times * step.api_requests
        lambda_invocations += times * max(step.api_requests, 1)
        read_units += times * measured["dynamodbUnits"].get("RRU", 0.0)
        write_units += times * measured["dynamodbUnits"].get("WRU", 0.0)
        kms_calls += times * sum(n for k, n in by_call.items() if k.startswith("KMS:"))
        secret_calls += times * sum(n for k, n in by_call.items() if k.startswith("Secrets Manager:"))
        # Events leave through the outbox: each activity item the request wrote reaches the
        # publisher on the table's stream (Lambda's stream reads are free), which puts it on the bus
        # (billed per entry). One publisher invocation per event: the stream's batching window is 0,
        # so at these rates a batch rarely holds more than one (the figure errs high).
        written = measured["events"]
        events += times * written
        lambda_invocations += times * written
        published = times * by_call.get("SNS:Publish", 0)
        if step.sns_publish == "sms":
            sms += published
        elif step.sns_publish == "push":
            pushes += published
        elif step.sns_publish == "topic":
            publishes += published
            emails += published  # the email sender sends it (SES), one invocation more
            lambda_invocations += published
    notices = sum(t for t, s in activities(profile) if s is NOTICE) * users
    by_text = profile["shareOfNoticesByText"]
    # A notice goes by text to the share that has a phone; the rest by email through the topic.
    sms -= notices * (1 - by_text)
    publishes += notices * (1 - by_text)
    emails += notices * (1 - by_text)

    lam = profile["lambda"]
    kept = profile["activityKept"]
    fixed = profile["fixed"]
    registrations = profile["perUserPerMonth"]["methodRegistrations"] * users
    cost["API Gateway"] = api_requests / 1e6 * p["apiGatewayHttpPerMillionRequests"]
    gb_seconds = lambda_invocations * lam["averageDurationMs"] / 1000 * lam["memoryMb"] / 1024
    cost["Lambda"] = (
        lambda_invocations / 1e6 * p["lambdaPerMillionRequests"] + gb_seconds * p["lambdaArmPerGbSecond"]
    )
    table_gb = users * kept["tableBytesPerUser"] / 1e9
    cost["DynamoDB"] = (
        write_units / 1e6 * p["dynamodbPerMillionWriteUnits"]
        + read_units / 1e6 * p["dynamodbPerMillionReadUnits"]
        + table_gb * (p["dynamodbStoragePerGbMonth"] + p["dynamodbPitrPerGbMonth"])
    )
    cost["KMS"] = fixed["kmsKeys"] * p["kmsPerKeyMonth"] + kms_calls / 1e4 * p["kmsPer10kRequests"]
    cost["Secrets Manager"] = (
        fixed["secrets"] * p["secretsManagerPerSecretMonth"]
        + secret_calls / 1e4 * p["secretsManagerPer10kCalls"]
    )
    archive_gb = events * kept["eventBytes"] / 1e9
    cost["EventBridge"] = (
        events / 1e6 * p["eventBridgePerMillionCustomEvents"]
        + archive_gb * p["eventBridgeArchivePerGbProcessed"]
        # In steady state the archive holds archiveRetentionMonths of events.
        + archive_gb * kept["archiveRetentionMonths"] * p["eventBridgeArchivePerGbMonth"]
    )
    cost["SNS text messages"] = sms * p["smsUsPerMessage"]
    cost["SNS topic and push"] = (
        publishes / 1e6 * p["snsPerMillionPublishes"] + pushes / 1e6 * p["snsPerMillionMobilePush"]
    )
    cost["SES"] = emails / 1000 * p["sesPer1000Emails"]
    # Each notice: EventBridge sends it to the queue, Lambda receives and deletes it; plus the
    # event source's idle long polling (about 5 pollers, one 20 s receive each at a time).
    idle_polls = 5 * MONTH_SECONDS / 20
    cost["SQS"] = (notices * 3 + idle_polls) / 1e6 * p["sqsPerMillionRequests"]
    transitions = (
        registrations
        * profile["shareOfRegistrationsThroughWizard"]
        * fixed["wizardTransitionsPerRegistration"]
    )
    cost["Step Functions"] = transitions / 1000 * p["stepFunctionsStandardPer1000Transitions"]
    log_gb = lambda_invocations * kept["logBytesPerRequest"] / 1e9
    cost["CloudWatch"] = (
        log_gb * p["cloudWatchLogsIngestPerGb"]
        + log_gb * kept["logRetentionMonths"] * p["cloudWatchLogsStoragePerGbMonth"]
        + fixed["alarms"] * p["cloudWatchAlarmPerMonth"]
        + fixed["customMetrics"] * p["cloudWatchCustomMetricPerMonth"]
    )
    cost["X-Ray"] = api_requests * profile["xraySampledShare"] / 1e6 * p["xrayPerMillionTracesRecorded"]
    return {service: round(cost[service], 2) for service in SERVICES}


def table(calls: dict[str, Any], profile: dict[str, Any], prices: dict[str, Any]) -> str:
    sizes = [int(n) for n in profile["monthlyActiveUsers"]]
    columns = {n: monthly_cost(n, calls, profile, prices["prices"]) for n in sizes}
    head = ["service", *(f"{n:,} users" for n in sizes)]
    rows = [[s, *(f"${columns[n][s]:,.2f}" for n in sizes)] for s in SERVICES]
    totals = {n: sum(columns[n].values()) for n in sizes}
    rows.append(["**total per month**", *(f"**${totals[n]:,.2f}**" for n in sizes)])
    rows.append(["per user per month", *(f"${totals[n] / n:.4f}" for n in sizes)])
    widths = [max(len(r[i]) for r in [head, *rows]) for i in range(len(head))]

    def line(cells: list[str]) -> str:
        return (
            "| "
            + " | ".join(
                c.ljust(w) if i == 0 else c.rjust(w)
                for i, (c, w) in enumerate(zip(cells, widths, strict=True))
            )
            + " |"
        )

    rule = (
        "|" + "|".join("-" * (w + 2) if i == 0 else "-" * (w + 1) + ":" for i, w in enumerate(widths)) + "|"
    )
    return "\n".join([line(head), rule, *(line(r) for r in rows)])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument(
        "--data", type=Path, default=HERE, help="folder with calls.json, profile.json, prices.json"
    )
    args = parser.parse_args()
    calls, profile, prices = (load(n, args.data) for n in ("calls.json", "profile.json", "prices.json"))
    print(f"# Monthly AWS cost of Security Info ({prices['region']}, list prices as of {prices['asOf']})\n")
    print(table(calls, profile, prices))
    print(
        f"\nCalls per operation: make bench, {calls['measured']}. Prices: {prices['about']}\n"
        "Usage: bench/cost/profile.json. Not included: the voice provider's calls (billed by it), data "
        "transfer out, and support plans."
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
