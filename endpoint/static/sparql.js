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
  });
  yasqe.on("queryResponse", function (_instance, response, duration) {
    yasr.setResponse(response, duration);
  });

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
  new MutationObserver(function () { localise(yasr.rootEl); }).observe(yasr.rootEl, {
    childList: true,
    subtree: true,
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
