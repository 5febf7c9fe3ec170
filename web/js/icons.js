// Inline SVG icons (our own constant paths, 24x24, stroke style), so the page needs no icon font
// and no network.

const NS = "http://www.w3.org/2000/svg";

const PATHS = {
  app: [
    "M7 2.5h10a1.5 1.5 0 0 1 1.5 1.5v16a1.5 1.5 0 0 1-1.5 1.5H7A1.5 1.5 0 0 1 5.5 20V4A1.5 1.5 0 0 1 7 2.5z",
    "M10.5 18.5h3",
    "M12 8.2a2 2 0 0 1 2 2v1.3h-4v-1.3a2 2 0 0 1 2-2z",
    "M9.3 11.5h5.4v3.5H9.3z",
  ],
  key: ["M14.5 4.5a5 5 0 1 1-4.9 6.1L3.5 16.7V20h3.3v-2h2v-2h2l1.2-1.2A5 5 0 0 1 14.5 4.5z", "M16 8.5h.01"],
  phone: ["M5 3.5h3l1.5 4-2 1.3a11 11 0 0 0 7.7 7.7l1.3-2 4 1.5v3a2 2 0 0 1-2.2 2A17 17 0 0 1 3 5.7a2 2 0 0 1 2-2.2z"],
  mail: ["M3.5 6h17v12h-17z", "M3.5 6.5 12 13l8.5-6.5"],
  shield: ["M12 2.8 19.5 5.8v5.4c0 4.6-3.1 8.6-7.5 10-4.4-1.4-7.5-5.4-7.5-10V5.8z", "m8.8 12 2.3 2.3 4.3-4.6"],
  plus: ["M12 5v14", "M5 12h14"],
  pencil: ["M4 20h4L19 9l-4-4L4 16z", "m13.5 6.5 4 4"],
  trash: ["M4.5 7h15", "M9.5 7V4.5h5V7", "M6.5 7l1 13h9l1-13", "M10.5 11v5.5", "M13.5 11v5.5"],
  user: ["M12 12.5a4 4 0 1 0 0-8 4 4 0 0 0 0 8z", "M4.5 20.5c1.2-3.6 4.1-5.5 7.5-5.5s6.3 1.9 7.5 5.5"],
  signin: ["M14 4.5h4a1.5 1.5 0 0 1 1.5 1.5v12a1.5 1.5 0 0 1-1.5 1.5h-4", "M10 8l4 4-4 4", "M14 12H4.5"],
  info: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 11v5.5", "M12 7.6h.01"],
  warning: ["M12 3.5 21.5 20h-19z", "M12 10v4.5", "M12 17.4h.01"],
  check: ["m5 12.5 4.5 4.5L19 7.5"],
  clock: ["M12 21a9 9 0 1 0 0-18 9 9 0 0 0 0 18z", "M12 7.5V12l3 2"],
};

/** An icon as an SVG element; decorative (aria-hidden) unless given a label. */
export function icon(name, { size = 20, label = null, className = "" } = {}) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("width", String(size));
  svg.setAttribute("height", String(size));
  svg.setAttribute("fill", "none");
  svg.setAttribute("stroke", "currentColor");
  svg.setAttribute("stroke-width", "1.6");
  svg.setAttribute("stroke-linecap", "round");
  svg.setAttribute("stroke-linejoin", "round");
  svg.setAttribute("class", `icon ${className}`.trim());
  if (label) {
    svg.setAttribute("role", "img");
    svg.setAttribute("aria-label", label);
  } else {
    svg.setAttribute("aria-hidden", "true");
    svg.setAttribute("focusable", "false");
  }
  for (const d of PATHS[name] ?? PATHS.info) {
    const path = document.createElementNS(NS, "path");
    path.setAttribute("d", d);
    svg.append(path);
  }
  return svg;
}

/** The icon for a method type. */
export const methodIcon = (type, options) =>
  icon({ softwareOath: "app", authenticatorApp: "app", hardwareOath: "key", phone: "phone", email: "mail", securityKey: "key", securityQuestions: "info" }[type] ?? "shield", options);
