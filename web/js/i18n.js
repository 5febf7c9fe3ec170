// Page texts by language. Every text a page shows is looked up here by its key: t(key, params).
// The catalogues are web/i18n/<language>.json, one per language, with the same keys. A key is the
// English text as the code writes it (gettext's way: the code reads as it shows), so en.json maps
// most keys to themselves; its value differs only for plurals ({"one", "other"}) or a correction.
// `{name}` in a text is a parameter; numbers are formatted for the language (Intl.NumberFormat),
// and a text with a `count` parameter may be an object of plural forms (Intl.PluralRules).
// tests/unit/test_page_texts.py fails when a key used in web/ is missing from either catalogue.
//
// The language: the one chosen on the page (kept in localStorage), else the browser's first
// language we have (navigator.languages), else English. Modules that import this one wait for
// the catalogue (top-level await), so t() is synchronous everywhere.

export const LANGUAGES = [
  { code: "en", name: "English", locale: "en-US" },
  { code: "nl", name: "Nederlands", locale: "nl-NL" },
];
const DEFAULT = "en";
const STORE_KEY = "securityInfo.language";

const catalogues = {};
const listeners = new Set();
let current = DEFAULT;

const supported = (code) => LANGUAGES.some((l) => l.code === code);
const baseOf = (tag) => String(tag ?? "").toLowerCase().split("-")[0];

/** The language to start with: the one chosen before, else the browser's, else English. */
export function preferredLanguage() {
  let stored = null;
  try {
    stored = localStorage.getItem(STORE_KEY);
  } catch {
    stored = null; // storage refused (private mode): the browser's language then
  }
  if (supported(stored)) return stored;
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  for (const tag of tags) {
    if (supported(baseOf(tag))) return baseOf(tag);
  }
  return DEFAULT;
}

async function load(code) {
  if (catalogues[code]) return catalogues[code];
  try {
    const response = await fetch(new URL(`../i18n/${code}.json`, import.meta.url), { headers: { Accept: "application/json" } });
    catalogues[code] = response.ok ? await response.json() : {};
  } catch {
    catalogues[code] = {}; // no catalogue: the keys (English) show, the page still works
  }
  return catalogues[code];
}

/** The current language's code ("en", "nl"): the pages send it as Accept-Language. */
export const language = () => current;

/**
 * The locale for Intl (dates, numbers): the browser's own tag when it is of the current language
 * (en-GB stays en-GB, nl-BE stays nl-BE), else the language's usual one.
 */
export function locale() {
  const tags = navigator.languages?.length ? navigator.languages : [navigator.language];
  const own = tags.find((tag) => baseOf(tag) === current);
  return own ?? LANGUAGES.find((l) => l.code === current)?.locale ?? "en-US";
}

function format(text, params) {
  return String(text).replace(/\{(\w+)\}/g, (whole, name) => {
    if (!(name in params)) return whole;
    const value = params[name];
    return typeof value === "number" ? new Intl.NumberFormat(locale()).format(value) : String(value ?? "");
  });
}

/** The text of `key` in the current language, with `{name}` parameters filled in. */
export function t(key, params = {}) {
  let text = catalogues[current]?.[key] ?? catalogues[DEFAULT]?.[key] ?? key;
  if (text && typeof text === "object") {
    const count = Number(params.count ?? 0);
    text = text[new Intl.PluralRules(locale()).select(count)] ?? text.other ?? key;
  }
  return format(text, params);
}

/**
 * A text that opens a title or sentence, with its first letter upper-cased in the current language:
 * a parameter put first by one language's word order (Dutch "{type} verwijderen") still starts it.
 */
export function sentence(text) {
  return text.charAt(0).toLocaleUpperCase(locale()) + text.slice(1);
}

/** Texts in the static HTML: `data-i18n` (text), `data-i18n-aria-label`, `data-i18n-title`... */
export function translateStatic(root = document) {
  for (const el of root.querySelectorAll("[data-i18n]")) el.textContent = t(el.dataset.i18n);
  for (const el of root.querySelectorAll("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel));
  const title = document.querySelector("title[data-i18n]");
  if (title) document.title = t(title.dataset.i18n);
}

/** Switch the language: load its catalogue, remember the choice, tell the page to redraw. */
export async function setLanguage(code) {
  if (!supported(code)) return;
  await load(code);
  current = code;
  try {
    localStorage.setItem(STORE_KEY, code);
  } catch {
    // not remembered, but still switched for this page
  }
  applyLanguage();
  for (const listener of listeners) listener(code);
}

/** `listener(code)` after each switch (the page redraws what it shows). */
export function onLanguageChange(listener) {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

function applyLanguage() {
  document.documentElement.lang = current;
  translateStatic();
  for (const select of document.querySelectorAll("select[data-language-picker]")) {
    select.value = current;
    select.setAttribute("aria-label", t("Language"));
  }
}

/**
 * The header's language picker: each language named in itself ("English", "Nederlands").
 * Built with plain DOM calls (this module comes before dom.js in every page).
 */
export function languagePicker({ testid = "language-picker" } = {}) {
  const select = document.createElement("select");
  select.className = "input language-picker";
  select.dataset.languagePicker = "";
  select.dataset.testid = testid;
  select.setAttribute("aria-label", t("Language"));
  for (const { code, name } of LANGUAGES) {
    const option = document.createElement("option");
    option.value = code;
    option.lang = code;
    option.textContent = name;
    option.selected = code === current;
    select.append(option);
  }
  select.addEventListener("change", () => setLanguage(select.value));
  return select;
}

/** Put the picker into every `[data-language-slot]` of the page. */
export function mountLanguagePicker() {
  for (const slot of document.querySelectorAll("[data-language-slot]")) {
    slot.replaceChildren(languagePicker());
  }
}

// --- start: the language's catalogue (and English, the fallback) before any page module runs ---

current = preferredLanguage();
await Promise.all([load(DEFAULT), current === DEFAULT ? null : load(current)]);
applyLanguage();
