// "Recent activity" (#/recent-activity), beside Security info: what happened to the account, newest
// first, a page at a time ("Show more" follows the server's opaque nextCursor), each entry with
// "This wasn't me". Everything the server says goes in through textContent (dom.js).

import { ApiError, seg } from "./api.js";
import { h, replace, tid } from "./dom.js";
import { describeError, formatDate, methodName } from "./format.js";
import { t } from "./i18n.js";
import { icon } from "./icons.js";
import { announce, busy, button, confirmDialog } from "./ui.js";

const PAGE_SIZE = 20;
const ACTORS = { self: () => t("You"), admin: () => t("An administrator"), system: () => t("The sign-in service") };
const TYPE_ICONS = {
  MethodRegistered: "plus",
  MethodRemoved: "trash",
  MethodUpdated: "pencil",
  VerificationSucceeded: "signin",
  VerificationFailed: "warning",
  UserLockedOut: "warning",
  FraudReported: "warning",
  CodeDeliveryFailed: "warning",
  SuspiciousActivityReported: "warning",
};

export function activityView({ api, main }) {
  const list = h("ol", { class: "method-list activity-list", "aria-label": t("Your recent activity"), ...tid("activity-list") });
  const more = h("div", { class: "toolbar" });
  const status = h("div", { ...tid("risk-banner") });
  const body = h("div", { class: "card-body", "aria-busy": "true" }, h("p", { class: "muted loading" }, t("Loading your recent activity\u2026")));
  replace(
    main,
    h(
      "div",
      { class: "page", ...tid("activity-view") },
      h("h1", {}, t("Recent activity")),
      h(
        "p",
        { class: "page-subtitle" },
        t("What happened to your sign-in methods and security settings, newest first. If something wasn't you, report it."),
      ),
      status,
      h("section", { class: "card", "aria-label": t("Recent activity") }, body),
    ),
  );

  let shown = 0;
  const loadPage = async (cursor, trigger) => {
    const query = `?limit=${PAGE_SIZE}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`;
    let page;
    try {
      page = trigger ? await busy(trigger, () => api.get(`/me/activity${query}`), t("Loading\u2026")) : await api.get(`/me/activity${query}`);
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      body.removeAttribute("aria-busy");
      replace(
        more,
        h("p", { class: "notice notice-error", role: "alert", ...tid("activity-error") }, describeError(err)),
        button(t("Start again"), { testid: "activity-restart", onClick: () => activityView({ api, main }) }),
      );
      if (!shown) replace(body, more);
      return;
    }
    if (!main.querySelector("[data-testid=activity-view]")) return; // navigated away meanwhile
    if (!shown) {
      body.removeAttribute("aria-busy");
      replace(body, list, more);
    }
    for (const entry of page.activity ?? []) list.append(entryRow(api, entry, () => showRisk(api, status)));
    shown += (page.activity ?? []).length;
    if (!shown) replace(list, h("li", { class: "muted empty-row", ...tid("no-activity") }, t("Nothing has happened on your account recently.")));
    replace(
      more,
      page.nextCursor &&
        button(t("Show more"), {
          testid: "activity-more",
          onClick: (event) => loadPage(page.nextCursor, event.currentTarget),
        }),
    );
  };
  showRisk(api, status);
  loadPage(null, null);
}

/** The banner while the account is at risk (after a report, until an administrator dismisses it). */
async function showRisk(api, slot) {
  let info;
  try {
    info = await api.get("/me/security-info");
  } catch (err) {
    if (!(err instanceof ApiError)) throw err;
    return;
  }
  replace(
    slot,
    info.riskState === "atRisk" &&
      h(
        "div",
        { class: "notice notice-error banner", role: "status", ...tid("at-risk") },
        icon("warning", { size: 20 }),
        h(
          "div",
          {},
          h("strong", {}, t("You reported activity that wasn't you.")),
          h(
            "p",
            {},
            t("Your administrators were alerted and every remembered device will ask for the second step again. Review your "),
            h("a", { href: "#/security-info" }, t("security info")),
            t(" and remove anything you don't recognize."),
          ),
        ),
      ),
  );
}

function entryRow(api, entry, onReported) {
  const meta = [
    formatDate(entry.occurredAt, { withTime: true }),
    (ACTORS[entry.actor] ?? ACTORS.self)(),
    entry.device,
    entry.sourceIp ? t("IP {address}", { address: entry.sourceIp }) : null,
  ].filter(Boolean);
  // An entry of a verification names its method by type only: do not say "Authenticator app" twice.
  const method = entry.method && methodName(entry.method);
  const action = h("div", { class: "method-actions" });
  const row = h(
    "li",
    { class: "method-row row-plain activity-row", ...tid("activity-row"), "data-activity-id": entry.id, "data-activity-type": entry.type },
    h("span", { class: "method-icon" }, icon(TYPE_ICONS[entry.type] ?? "shield", { size: 22 })),
    h(
      "div",
      { class: "method-detail" },
      h("span", { class: "method-name", ...tid("activity-summary") }, entry.summary),
      method && h("span", { class: "method-meta", ...tid("activity-method") }, method),
      h("span", { class: "method-meta", ...tid("activity-meta") }, meta.join(" \u00b7 ")),
    ),
    action,
  );
  const drawAction = (reported) =>
    replace(
      action,
      reported
        ? h("span", { class: "badge", ...tid("activity-reported") }, t("Reported"))
        : button(t("This wasn't me"), {
            variant: "link",
            class: "btn btn-link btn-link-danger",
            testid: "report-activity",
            "aria-label": t("This wasn't me: {summary}", { summary: entry.summary }),
            onClick: () => reportDialog(api, entry, () => {
              drawAction(true);
              onReported();
            }),
          }),
    );
  drawAction(entry.reported);
  return row;
}

async function reportDialog(api, entry, done) {
  const reported = await confirmDialog({
    title: t("Report activity that wasn't you"),
    testid: "report",
    body: [
      h("p", {}, h("strong", {}, entry.summary), " ", formatDate(entry.occurredAt, { withTime: true })),
      h(
        "p",
        {},
        t("We'll tell your administrators, ask for the second step again on every remembered device, and let you know on your phones and email. Then review your security info and remove anything you don't recognize."),
      ),
    ],
    confirmText: t("Report"),
    busyText: t("Reporting\u2026"),
    call: () => api.post(`/me/activity/${seg(entry.id)}/report`, {}),
  });
  if (reported) {
    done();
    announce(t("Reported. Your administrators were alerted."));
  }
}
