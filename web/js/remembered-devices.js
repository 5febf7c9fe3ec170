// "Remembered devices" on the Security info page: where the user ticked "Don't ask again", and
// "Forget MFA on remembered devices" (all of them at once), or one device at a time.

import { ApiError, StepUpCancelled, seg } from "./api.js";
import { h, replace, tid } from "./dom.js";
import { describeError, formatDate } from "./format.js";
import { icon } from "./icons.js";
import { announce, busy, button, errorLine, openDialog } from "./ui.js";

const isExpected = (err) => err instanceof ApiError || err instanceof StepUpCancelled;
const shown = (err) => (err instanceof StepUpCancelled ? err.message : err);

export function rememberedDevicesSection({ api, info }) {
  const body = h("div", { class: "card-body" }, h("p", { class: "muted loading" }, "Loading remembered devices\u2026"));
  const section = h("section", { class: "card", "aria-labelledby": "remembered-title", ...tid("remembered-devices") }, body);

  const load = async () => {
    let answer;
    try {
      answer = await api.get("/me/remembered-devices");
    } catch (err) {
      if (!(err instanceof ApiError)) throw err;
      replace(body, h("p", { class: "notice notice-error", role: "alert" }, describeError(err)));
      return;
    }
    render(answer.devices ?? []);
  };

  const render = (devices) => {
    const days = info.rememberDeviceDays ?? 0;
    replace(
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
    );
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
  return h(
    "li",
    { class: "method-row row-plain", ...tid("remembered-row"), "data-device-id": device.id },
    h("span", { class: "method-icon" }, icon("signin", { size: 22 })),
    h(
      "div",
      { class: "method-detail" },
      h("span", { class: "method-name", ...tid("remembered-name") }, device.name),
      h("span", { class: "method-meta" }, meta.join(" \u00b7 ")),
    ),
    h(
      "div",
      { class: "method-actions" },
      button("Forget", {
        variant: "link",
        class: "btn btn-link btn-link-danger",
        testid: "forget-device",
        "aria-label": `Forget ${device.name}`,
        onClick: () => confirmDialog({
          api,
          title: "Forget this device",
          text: `${device.name} will ask for the second step again at the next sign-in.`,
          call: () => api.delete(`/me/remembered-devices/${seg(device.id)}`),
          done: `${device.name} will be asked again.`,
          reload,
        }),
      }),
    ),
  );
}

function forgetAllDialog(api, reload) {
  return confirmDialog({
    api,
    title: "Forget MFA on remembered devices",
    text: "Every device where you chose \u201cDon't ask again\u201d will ask for the second step at its next sign-in.",
    call: () => api.delete("/me/remembered-devices"),
    done: "All remembered devices will be asked again.",
    reload,
  });
}

async function confirmDialog({ title, text, call, done, reload }) {
  const dialog = openDialog({ title, testid: "forget-devices-dialog" });
  const error = errorLine("forget-devices-error");
  const confirm = button("Forget", { variant: "danger", testid: "forget-devices-confirm" });
  confirm.addEventListener("click", async () => {
    try {
      await busy(confirm, call, "Forgetting\u2026");
      dialog.close(true);
    } catch (err) {
      if (!isExpected(err)) throw err;
      error.show(shown(err));
    }
  });
  dialog.show(
    h(
      "div",
      { class: "stack" },
      h("p", {}, text),
      error,
      h("div", { class: "dialog-actions" }, button("Cancel", { onClick: () => dialog.close(), testid: "forget-devices-cancel" }), confirm),
    ),
    { focus: "[data-testid=forget-devices-cancel]" },
  );
  if (await dialog.result) {
    announce(done);
    await reload();
  }
}
