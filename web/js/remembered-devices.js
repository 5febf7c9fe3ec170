// "Remembered devices" on the Security info page: where the user ticked "Don't ask again", and
// "Forget MFA on remembered devices" (all of them at once), or one device at a time.

import { seg } from "./api.js";
import { h, redrawKeepingFocus, replace, tid } from "./dom.js";
import { formatDate } from "./format.js";
import { dangerLink, plainRow } from "./rows.js";
import { announce, button, confirmDialog, loadOrNotice } from "./ui.js";

export function rememberedDevicesSection({ api, info }) {
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, "Loading remembered devices\u2026"));
  const section = h("section", { class: "card", "aria-labelledby": "remembered-title", ...tid("remembered-devices") }, body);

  const load = async () => {
    const answer = await loadOrNotice(body, () => api.get("/me/remembered-devices"));
    if (answer) render(answer.devices ?? []);
  };

  const render = (devices) => {
    const days = info.rememberDeviceDays ?? 0;
    redrawKeepingFocus(body, () => replace(
      body,
      h("h2", { id: "remembered-title", class: "section-title" }, "Remembered devices"),
      h(
        "p",
        { class: "muted" },
        days > 0
          ? `When you choose \u201cDon't ask again for ${days} days\u201d at sign-in, that device skips the second step until the date shown. `
          : "Your organization doesn't let devices skip the second step. ",
        "If you lose a device or think someone else used it, forget it.",
      ),
      devices.length === 0
        ? h("p", { class: "muted", ...tid("no-remembered-devices") }, "No device is remembered.")
        : h(
            "ul",
            { class: "method-list", "aria-label": "Your remembered devices", ...tid("remembered-list") },
            devices.map((device) => row(api, device, load)),
          ),
      h(
        "div",
        { class: "toolbar" },
        button("Forget MFA on remembered devices", { testid: "forget-all-devices", onClick: () => forgetAllDialog(api, load) }),
      ),
    ), "[data-testid=forget-all-devices]");
  };

  load();
  return section;
}

function row(api, device, reload) {
  const meta = [
    `Remembered ${formatDate(device.createdAt)}`,
    device.lastUsedAt ? `last used ${formatDate(device.lastUsedAt, { withTime: true })}` : "not used since",
    `until ${formatDate(device.expiresAt)}`,
  ];
  return plainRow({
    testid: "remembered-row",
    data: { "data-device-id": device.id },
    iconName: "signin",
    name: device.name,
    nameTestid: "remembered-name",
    meta,
    action: dangerLink("Forget", {
      testid: "forget-device",
      label: `Forget ${device.name}`,
      onClick: () => forgetDialog({
        title: "Forget this device",
        text: `${device.name} will ask for the second step again at the next sign-in.`,
        call: () => api.delete(`/me/remembered-devices/${seg(device.id)}`),
        done: `${device.name} will be asked again.`,
        reload,
      }),
    }),
  });
}

function forgetAllDialog(api, reload) {
  return forgetDialog({
    title: "Forget MFA on remembered devices",
    text: "Every device where you chose \u201cDon't ask again\u201d will ask for the second step at its next sign-in.",
    call: () => api.delete("/me/remembered-devices"),
    done: "All remembered devices will be asked again.",
    reload,
  });
}

async function forgetDialog({ title, text, call, done, reload }) {
  const forgotten = await confirmDialog({
    title,
    testid: "forget-devices",
    body: h("p", {}, text),
    confirmText: "Forget",
    busyText: "Forgetting\u2026",
    call,
  });
  if (forgotten) {
    announce(done);
    await reload();
  }
}
