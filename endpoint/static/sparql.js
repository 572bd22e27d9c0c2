// The query page: YASQE (editor) and YASR (results) from the vendored YASGUI bundle, over this
// server's /sparql. Nothing is requested from another host: the prefixes offered are the
// project's, the vocabulary autocompleters that call remote services are left out, and IRIs
// under the base link to this server's pages. Without JavaScript the plain form still works.
(function () {
  "use strict";
  const app = document.getElementById("sparql-app");
  const textarea = document.getElementById("query");
  if (!app || !textarea || !window.Yasgui || !window.qpvkgLinks) return;
  const links = window.qpvkgLinks;
  const Yasqe = window.Yasgui.Yasqe;
  const Yasr = window.Yasgui.Yasr;
  const base = app.dataset.base;
  const prefixes = JSON.parse(document.getElementById("sparql-prefixes").textContent);
  // The editor's and the table's own words, in the page's language (sparql.html, locale files)
  const words = JSON.parse(document.getElementById("sparql-words").textContent);

  Yasqe.forkAutocompleter(
    "prefixes",
    {
      name: "qpvkg-prefixes",
      persistenceId: null,
      get: function () {
        return Promise.resolve(
          Object.keys(prefixes).sort().map(function (p) { return p + ": <" + prefixes[p] + ">"; })
        );
      },
    },
    false
  );
  // The editor's completers are exactly these two. Yasqe merges its options into its defaults
  // with lodash's merge, which merges arrays index by index: an `autocompleters` option shorter
  // than the registered list keeps the defaults' tail, the Linked Open Vocabularies class and
  // property completers that call lov.linkeddata.es at every keystroke. So the defaults
  // themselves are replaced.
  Yasqe.defaults.autocompleters = ["qpvkg-prefixes", "variables"];
  Yasr.plugins.table.defaults.openIriInNewWindow = false;
  // the result table (DataTables) speaks the page's language
  Yasr.plugins.table.defaults.tableConfig.language = words.table;

  // the editor stands outside the fallback form: its buttons must not submit it
  const form = document.getElementById("sparql-form");
  const editor = document.createElement("div");
  editor.id = "yasqe";
  form.parentNode.insertBefore(editor, form);
  form.classList.add("enhanced");

  const yasqe = new Yasqe(editor, {
    value: textarea.value,
    persistenceId: null,
    prefixCcApi: null,
    resizeable: true,
    editorHeight: "20rem",
    viewportMargin: Infinity,
    consumeShareLink: null,
    createShareableLink: function (y) {
      return location.origin + "/sparql?" + new URLSearchParams({ query: y.getValue() });
    },
    requestConfig: {
      endpoint: new URL("/sparql", location.href).toString(),
      method: "POST",
      acceptHeaderSelect: "application/sparql-results+json",
      acceptHeaderGraph: "text/turtle",
    },
  });
  const yasr = new Yasr(document.getElementById("yasr"), {
    persistenceId: null,
    prefixes: prefixes,
    pluginOrder: ["table", "response"],
    defaultPlugin: "table",
    // an error says what went wrong in the page's language, then the server's message
    errorRenderers: [errorMessage],
  });
  yasqe.on("queryResponse", function (_instance, response, duration) {
    yasr.setResponse(response, duration);
  });

  // Tab indents in the editor; YASQE's Escape takes the focus out of it, so that Tab then
  // reaches the next control: the sentence #editor-keys says so, and describes the input.
  const input = yasqe.getInputField();
  input.setAttribute("aria-label", words.editor);
  input.setAttribute("aria-describedby", "editor-keys");

  function errorMessage(error) {
    const box = document.createElement("div");
    box.className = "query-error";
    box.setAttribute("role", "alert");
    const head = document.createElement("p");
    // YASR passes the response's text: this server's JSON error body, or nothing when the
    // request did not reach it
    let detail = error.text || "";
    let status = error.status;
    try {
      const body = JSON.parse(detail).error;
      detail = body.message || detail;
      status = body.status || status;
    } catch (e) { /* not JSON: keep the text */ }
    if (status) head.textContent = words.error.replace("{status}", status);
    else head.textContent = detail ? words.failed : words.unreachable;
    box.appendChild(head);
    if (detail) {
      const pre = document.createElement("pre");
      pre.textContent = detail;
      box.appendChild(pre);
    }
    return Promise.resolve(box);
  }

  // YASQE's and YASR's buttons and labels, which have no translations of their own: their
  // English words are replaced by the page's (exact strings, then the response's summary).
  function say(text) {
    const key = text.trim();
    if (Object.prototype.hasOwnProperty.call(words.text, key)) return words.text[key];
    let m = /^(\d+) results?(?: in ([\d.]+) seconds?)?$/.exec(key);
    if (m) return (m[2] ? words.results : words.rows).replace("{n}", m[1]).replace("{s}", m[2]);
    m = /^Response in ([\d.]+) seconds?$/.exec(key);
    if (m) return words.response.replace("{s}", m[1]);
    m = /^Shows (\S+) view$/.exec(key);
    if (m) return words.show.replace("{view}", say(m[1]) || m[1]);
    return null;
  }
  function translate(root) {
    root.querySelectorAll(".yasqe_buttons, .yasr_header, .overlay_content").forEach(function (part) {
      part.querySelectorAll("[title], [aria-label], [placeholder]").forEach(function (el) {
        ["title", "aria-label", "placeholder"].forEach(function (name) {
          const value = el.getAttribute(name);
          const said = value && say(value);
          if (said) el.setAttribute(name, said);
        });
      });
      const walker = document.createTreeWalker(part, NodeFilter.SHOW_TEXT);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        const said = node.nodeValue.trim() && say(node.nodeValue);
        if (said) node.nodeValue = said;
      }
      // a plugin that cannot show the response is greyed out: say it is unavailable
      part.querySelectorAll(".yasr_btn").forEach(function (el) {
        if (el.classList.contains("disabled")) el.setAttribute("aria-disabled", "true");
        else el.removeAttribute("aria-disabled");
      });
      part.querySelectorAll("select.tableSizer:not([aria-label])").forEach(function (el) {
        el.setAttribute("aria-label", words.text["Page size:"]);
      });
    });
  }
  translate(editor);

  // IRIs under the base open this server's page for them (the server answers any host);
  // a result that is not a web address (javascript:, data:, mailto:...) is shown as text.
  function localise(root) {
    root.querySelectorAll("a[href]").forEach(function (a) {
      const href = a.getAttribute("href");
      if (href.indexOf(base) === 0) {
        a.setAttribute("href", "/" + href.slice(base.length));
        a.removeAttribute("target");
      } else if (!links.webHref(href)) {
        a.replaceWith(links.text(a.textContent));
      }
    });
  }
  new MutationObserver(function () {
    localise(yasr.rootEl);
    translate(yasr.rootEl);
  }).observe(yasr.rootEl, {
    childList: true,
    subtree: true,
    attributeFilter: ["class"],
  });

  // Download links for the query in the editor, in the formats its form has.
  const downloads = document.querySelectorAll("#downloads a[data-format]");
  function refresh() {
    const query = yasqe.getValue();
    textarea.value = query;
    let form = "SELECT";
    try { form = yasqe.getQueryType() || "SELECT"; } catch (e) { /* keep SELECT */ }
    downloads.forEach(function (a) {
      a.hidden = a.dataset.forms.split(" ").indexOf(form) < 0;
      a.href = "/sparql?" + new URLSearchParams({ query: query, format: a.dataset.format });
    });
  }
  yasqe.on("change", refresh);
  refresh();

  document.querySelectorAll("button.load-example").forEach(function (button) {
    button.addEventListener("click", function () {
      yasqe.setValue(button.dataset.query);
      refresh();
      window.scrollTo({ top: 0 });
      yasqe.query();
    });
  });
  window.qpvkg = { yasqe: yasqe, yasr: yasr };
})();
