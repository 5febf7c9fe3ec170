// "Remembered devices" on the Security info page: where the user ticked "Don't ask again", and
// "Forget MFA on remembered devices" (all of them at once), or one device at a time.

import { seg } from "./api.js";
import { h, redrawKeepingFocus, replace, tid } from "./dom.js";
import { formatDate } from "./format.js";
import { t } from "./i18n.js";
import { dangerLink, plainRow } from "./rows.js";
import { announce, button, confirmDialog, loadOrNotice } from "./ui.js";

export function rememberedDevicesSection({ api, info }) {
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, t("Loading remembered devices\u2026")));
  const section = h("section", { class: "card", "aria-labelledby": "remembered-title", ...tid("remembered-devices") }, body);

  const load = async () => {
    const answer = await loadOrNotice(body, () => api.get("/me/remembered-devices"));
    if (answer) render(answer.devices ?? []);
  };

  const render = (devices) => {
    const days = info.rememberDeviceDays ?? 0;
    redrawKeepingFocus(body, () => replace(
      body,
      h("h2", { id: "remembered-title", class: "section-title" }, t("Remembered devices")),
      h(
        "p",
        { class: "muted" },
        days > 0
          ? t("When you choose \u201cDon't ask again for {count} days\u201d at sign-in, that device skips the second step until the date shown. ", { count: days })
          : t("Your organization doesn't let devices skip the second step. "),
        t("If you lose a device or think someone else used it, forget it."),
      ),
      devices.length === 0
        ? h("p", { class: "muted", ...tid("no-remembered-devices") }, t("No device is remembered."))
        : h(
            "ul",
            { class: "method-list", "aria-label": t("Your remembered devices"), ...tid("remembered-list") },
            devices.map((device) => row(api, device, load)),
          ),
      h(
        "div",
        { class: "toolbar" },
        button(t("Forget MFA on remembered devices"), { testid: "forget-all-devices", onClick: () => forgetAllDialog(api, load) }),
      ),
    ), "[data-testid=forget-all-devices]");
  };

  load();
  return section;
}

function row(api, device, reload) {
  const meta = [
    t("Remembered {date}", { date: formatDate(device.createdAt) }),
    device.lastUsedAt ? t("last used {date}", { date: formatDate(device.lastUsedAt, { withTime: true }) }) : t("not used since"),
    t("until {date}", { date: formatDate(device.expiresAt) }),
  ];
  return plainRow({
    testid: "remembered-row",
    data: { "data-device-id": device.id },
    iconName: "signin",
    name: device.name,
    nameTestid: "remembered-name",
    meta,
    action: dangerLink(t("Forget"), {
      testid: "forget-device",
      label: t("Forget {name}", { name: device.name }),
      onClick: () => forgetDialog({
        title: t("Forget this device"),
        text: t("{name} will ask for the second step again at the next sign-in.", { name: device.name }),
        call: () => api.delete(`/me/remembered-devices/${seg(device.id)}`),
        done: t("{name} will be asked again.", { name: device.name }),
        reload,
      }),
    }),
  });
}

function forgetAllDialog(api, reload) {
  return forgetDialog({
    title: t("Forget MFA on remembered devices"),
    text: t("Every device where you chose \u201cDon't ask again\u201d will ask for the second step at its next sign-in."),
    call: () => api.delete("/me/remembered-devices"),
    done: t("All remembered devices will be asked again."),
    reload,
  });
}

async function forgetDialog({ title, text, call, done, reload }) {
  const forgotten = await confirmDialog({
    title,
    testid: "forget-devices",
    body: h("p", {}, text),
    confirmText: t("Forget"),
    busyText: t("Forgetting\u2026"),
    call,
  });
  if (forgotten) {
    announce(done);
    await reload();
  }
}
