// The one rule for what the pages' scripts put in the page from data: text as text nodes
// (never HTML), and links only to web (http, https) addresses; anything else (javascript:,
// data:...) is shown as text. The templates follow the same rule (iris.href_of).
(function () {
  "use strict";

  // The address to link to, or null when the value is not a web address (relative ones are).
  function webHref(value) {
    if (typeof value !== "string" || !value) return null;
    let url;
    try { url = new URL(value, document.baseURI); } catch (e) { return null; }
    return url.protocol === "http:" || url.protocol === "https:" ? url.href : null;
  }

  // An element holding the text only.
  function text(value, tag) {
    const el = document.createElement(tag || "span");
    el.textContent = value === null || value === undefined ? "" : String(value);
    return el;
  }

  // A link to a web address, or the text alone when the address is not one.
  function link(href, value) {
    const safe = webHref(href);
    if (!safe) return text(value);
    const a = text(value, "a");
    a.href = safe;
    return a;
  }

  window.qpvkgLinks = { webHref: webHref, text: text, link: link };
})();
