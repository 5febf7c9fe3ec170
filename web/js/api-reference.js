// The API reference (api.html): renders /openapi.json with plain DOM calls, no libraries, so the
// page works offline and under the pages' Content-Security-Policy.

import { mountLanguagePicker, onLanguageChange, t } from "./i18n.js";

const METHODS = ["get", "put", "post", "patch", "delete"];
const MAX_DEPTH = 6; // deep enough for the policy; a cycle or a huge tree stops here

function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs)) {
    if (value !== undefined && value !== null) node.setAttribute(name, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// Inline `code` in the document's descriptions becomes <code>; everything else stays text.
function prose(text) {
  const out = el("p");
  String(text || "").split(/(`[^`]*`)/).forEach((part) => {
    if (part.startsWith("`") && part.endsWith("`") && part.length > 1) out.append(el("code", {}, part.slice(1, -1)));
    else if (part) out.append(document.createTextNode(part));
  });
  return out;
}

function refName(ref) {
  return ref.split("/").pop();
}

function resolve(doc, node) {
  let current = node;
  for (let i = 0; current && current.$ref && i < 10; i += 1) {
    const path = current.$ref.replace(/^#\//, "").split("/");
    current = path.reduce((at, key) => (at ? at[key] : undefined), doc);
  }
  return current || {};
}

function typeLabel(schema) {
  const parts = [];
  if (schema.$ref) parts.push(refName(schema.$ref));
  if (schema.type) parts.push(Array.isArray(schema.type) ? schema.type.join(" | ") : schema.type);
  if (schema.const !== undefined) parts.push(`= ${JSON.stringify(schema.const)}`);
  if (schema.enum) parts.push(t("one of {values}", { values: schema.enum.map((v) => JSON.stringify(v)).join(", ") }));
  if (schema.pattern) parts.push(t("pattern {pattern}", { pattern: schema.pattern }));
  if (schema.format) parts.push(schema.format);
  for (const [key, label] of [["minLength", t("min length")], ["maxLength", t("max length")], ["minItems", t("min items")],
    ["maxItems", t("max items")], ["minimum", "≥"], ["maximum", "≤"]]) {
    if (schema[key] !== undefined) parts.push(`${label} ${schema[key]}`);
  }
  return parts.join(", ");
}

function schemaTree(doc, schema, depth = 0) {
  const box = el("div", { class: "api-schema" });
  if (!schema || depth > MAX_DEPTH) return box;
  if (schema.$ref) {
    const name = refName(schema.$ref);
    box.append(el("div", {}, el("a", { href: `#schema-${name}` }, name)));
    return box;
  }
  const label = typeLabel(schema);
  if (label) box.append(el("div", { class: "api-muted" }, label));
  if (schema.description) box.append(prose(schema.description));
  for (const key of ["oneOf", "anyOf", "allOf"]) {
    if (!schema[key]) continue;
    const word = { oneOf: t("One of"), anyOf: t("Any of"), allOf: t("All of") }[key];
    const list = el("ol");
    schema[key].forEach((branch) => list.append(el("li", {}, branch.title || "", schemaTree(doc, branch, depth + 1))));
    box.append(el("div", {}, word, list));
  }
  if (schema.properties) {
    const required = new Set(schema.required || []);
    const rows = Object.entries(schema.properties).map(([name, sub]) => el("tr", {},
      el("td", {}, el("code", {}, name), required.has(name) ? el("span", { class: "api-required" }, t(" required")) : null),
      el("td", {}, schemaTree(doc, sub, depth + 1))));
    box.append(el("table", {}, el("tbody", {}, rows)));
    if (schema.additionalProperties === false) box.append(el("div", { class: "api-muted" }, t("No other fields.")));
  }
  if (schema.items) box.append(el("div", {}, t("Items:"), schemaTree(doc, schema.items, depth + 1)));
  return box;
}

function example(value) {
  return value === undefined ? null : el("details", {}, el("summary", {}, t("Example")), el("pre", {}, JSON.stringify(value, null, 2)));
}

function operation(doc, method, path, op) {
  const id = `op-${op.operationId}`;
  const section = el("section", { class: "api-op", id, "data-testid": id },
    el("h3", {}, el("span", { class: "api-method" }, method.toUpperCase()), el("code", {}, path)),
    el("p", {}, op.summary || ""));
  if (op.description) section.append(prose(op.description));
  const security = (op.security || []).map((req) => Object.keys(req).join(" + ")).join(t(" or "));
  section.append(el("p", { class: "api-muted" }, t("Authorization: {schemes}", { schemes: security || t("none") })));
  const params = (op.parameters || []).map((p) => resolve(doc, p));
  if (params.length) {
    section.append(el("h4", {}, t("Parameters")), el("table", {}, el("tbody", {}, params.map((p) => el("tr", {},
      el("td", {}, el("code", {}, p.name)), el("td", {}, p.in, p.required ? t(" (required)") : ""),
      el("td", {}, prose(p.description || typeLabel(p.schema || {}))))))));
  }
  const body = op.requestBody && op.requestBody.content && op.requestBody.content["application/json"];
  if (body) {
    section.append(el("h4", {}, op.requestBody.required ? t("Request body") : t("Request body (optional)")),
      schemaTree(doc, body.schema), example(body.example));
  }
  section.append(el("h4", {}, t("Answers")));
  const rows = Object.entries(op.responses || {}).map(([status, answer]) => {
    const content = answer.content && answer.content["application/json"];
    const headers = Object.keys(answer.headers || {});
    return el("tr", { "data-status": status },
      el("td", {}, el("strong", {}, status)),
      el("td", {}, prose(answer.description), headers.length ? el("p", { class: "api-muted" }, t("Headers: {names}", { names: headers.join(", ") })) : null,
        content ? schemaTree(doc, content.schema) : null, content ? example(content.example) : null));
  });
  section.append(el("table", {}, el("tbody", {}, rows)));
  return section;
}

function render(doc) {
  const root = document.getElementById("api-doc");
  const toc = document.getElementById("api-toc");
  root.replaceChildren();
  root.append(el("p", { class: "api-muted" }, t("Version {version}", { version: doc.info.version })));
  String(doc.info.description || "").split(/\n\n/).forEach((para) => root.append(prose(para.replace(/\n/g, " "))));
  const byTag = new Map();
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const method of METHODS) {
      if (!item[method]) continue;
      const tag = (item[method].tags || ["Other"])[0];
      if (!byTag.has(tag)) byTag.set(tag, []);
      byTag.get(tag).push([method, path, item[method]]);
    }
  }
  const list = el("ul");
  for (const [tag, ops] of byTag) {
    root.append(el("h2", {}, tag));
    for (const [method, path, op] of ops) {
      root.append(operation(doc, method, path, op));
      list.append(el("li", {}, el("a", { href: `#op-${op.operationId}` }, `${method.toUpperCase()} ${path}`)));
    }
  }
  toc.replaceChildren(list);
  root.append(el("h2", {}, t("Authorization")));
  for (const [name, scheme] of Object.entries(doc.components.securitySchemes || {})) {
    root.append(el("h3", {}, el("code", {}, name)), prose(scheme.description || scheme.type));
  }
  root.append(el("h2", {}, t("Schemas")));
  for (const [name, schema] of Object.entries(doc.components.schemas || {})) {
    root.append(el("section", { id: `schema-${name}`, class: "api-op" }, el("h3", {}, name), schemaTree(doc, schema)));
  }
}

async function main() {
  const root = document.getElementById("api-doc");
  try {
    const response = await fetch("openapi.json", { headers: { Accept: "application/json" } });
    if (!response.ok) throw new Error(`openapi.json answered ${response.status}`);
    const doc = await response.json();
    render(doc);
    // The page's own words switch language; the document (descriptions, summaries) is English.
    onLanguageChange(() => render(doc));
  } catch (error) {
    root.replaceChildren(el("p", { role: "alert" }, t("The API document could not be loaded: {reason}", { reason: error.message })));
  }
}

mountLanguagePicker();
main();
