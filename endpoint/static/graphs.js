// Graph views drawn with Cytoscape, served locally: an actor's network (JSON from data-src,
// with the same links written as a list for keyboards and screen readers) and the ontology's
// diagram (JSON embedded in the page). A click on a node opens its page.
(function () {
  "use strict";
  if (!window.cytoscape || !window.qpvkgLinks) return;
  const links = window.qpvkgLinks;
  const lang = document.documentElement.lang || "fr";
  const COLORS = {
    organisation: "#1f77b4", partnership: "#9467bd", person: "#2ca02c",
    innovation: "#d95f02", scheme: "#8c564b", class: "#0b3d60", other: "#7f7f7f",
  };

  function pick(texts) {
    if (!texts) return "";
    return texts[lang] || texts.fr || texts[""] || texts.en || Object.values(texts)[0] || "";
  }

  function style() {
    return [
      { selector: "node", style: {
        "label": "data(label)", "font-size": 11, "text-wrap": "wrap", "text-max-width": 120,
        "background-color": "data(color)", "color": "#1d1d1f", "text-valign": "bottom",
        "text-margin-y": 4, "width": 18, "height": 18 } },
      { selector: "node[?center]", style: { "width": 30, "height": 30, "font-weight": "bold" } },
      { selector: "edge", style: {
        "width": 1.5, "line-color": "#9bb8d3", "target-arrow-color": "#9bb8d3",
        "target-arrow-shape": "triangle", "curve-style": "bezier", "label": "data(label)",
        "font-size": 9, "color": "#444", "text-rotation": "autorotate",
        "text-background-color": "#fff", "text-background-opacity": 0.8,
        // a role's label is cut rather than laid over its neighbours', in full on hover
        "text-wrap": "ellipsis", "text-max-width": 110 } },
      { selector: "edge[kind = 'property']", style: { "line-style": "dashed" } },
      { selector: "edge:selected, edge.hover", style: {
        "text-max-width": 400, "font-size": 11, "z-index": 10, "text-background-opacity": 1 } },
    ];
  }

  function readable(cy, floor) {
    // never so small that the labels cannot be read: past the floor, the graph is panned
    if (cy.zoom() < floor) { cy.zoom(floor); cy.center(); }
  }

  function hover(cy) {
    cy.on("mouseover", "edge", function (event) { event.target.addClass("hover"); });
    cy.on("mouseout", "edge", function (event) { event.target.removeClass("hover"); });
  }

  function settle(cy) {
    // a small graph is not blown up to the whole box
    cy.fit(undefined, 30);
    if (cy.zoom() > 1.3) { cy.zoom(1.3); cy.center(); }
  }

  function open(cy) {
    cy.on("tap", "node", function (event) {
      const href = links.webHref(event.target.data("href"));
      if (href) window.location.href = href;
    });
  }

  function list(el, data) {
    const ul = document.getElementById(el.dataset.list);
    if (!ul) return;
    const names = {};
    data.nodes.forEach(function (n) { names[n.id] = n; });
    data.edges.forEach(function (e) {
      const li = document.createElement("li");
      const from = links.link(names[e.source].href, names[e.source].label);
      const to = links.link(names[e.target].href, names[e.target].label);
      li.appendChild(from);
      const role = pick(e.roleLabels);
      const link = e.kind === "membership" ? ul.dataset.member
        : e.kind === "carriedOutBy" ? ul.dataset.carried
        : e.kind === "organisation" ? ul.dataset.organisation : "→";
      li.appendChild(document.createTextNode(" " + link + " " + (role ? "(" + role + ") " : "")));
      li.appendChild(to);
      ul.appendChild(li);
    });
  }

  function network(el) {
    fetch(el.dataset.src, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        const elements = data.nodes.map(function (n) {
          return { data: { id: n.id, label: n.label, href: n.href, center: n.center,
                           color: COLORS[n.kind] || COLORS.other } };
        }).concat(data.edges.map(function (e, i) {
          return { data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind,
                           label: pick(e.roleLabels) } };
        }));
        const center = data.nodes.length ? data.nodes[0].id : null;
        const cy = cytoscape({
          container: el, elements: elements, style: style(),
          layout: { name: "concentric", minNodeSpacing: 90,
                    concentric: function (n) { return n.id() === center ? 2 : 1; },
                    levelWidth: function () { return 1; } },
            });
        settle(cy);
        readable(cy, 0.7);
        hover(cy);
        open(cy);
        el.qpvkgGraph = cy;
        list(el, data);
        el.dataset.rendered = String(cy.nodes().length);
      })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  function diagram(el) {
    const data = JSON.parse(document.getElementById(el.dataset.json).textContent);
    const elements = data.nodes.map(function (n) {
      return { data: { id: n.id, label: pick(n.labels), href: n.href, color: COLORS.class } };
    }).concat(data.edges.map(function (e, i) {
      return { data: { id: "e" + i, source: e.source, target: e.target, kind: e.kind,
                       label: e.kind === "property" ? pick(e.labels) : "" } };
    }));
    const cy = cytoscape({
      container: el, elements: elements,
      // the diagram is drawn small to fit: its labels are larger than the network's
      style: style().concat([
        { selector: "node", style: { "font-size": 20, "text-max-width": 180 } },
        { selector: "edge", style: { "font-size": 15, "text-max-width": 160 } },
      ]),
      layout: { name: "cose", animate: false, randomize: false, nodeRepulsion: 400000,
                idealEdgeLength: 110, nodeOverlap: 40, componentSpacing: 100, padding: 30 },
    });
    settle(cy);
    readable(cy, 0.7);
    hover(cy);
    cy.on("tap", "node", function (event) {
      const target = document.querySelector(event.target.data("href"));
      if (target) target.scrollIntoView();
      window.location.hash = event.target.data("href");
    });
    el.dataset.rendered = String(cy.nodes().length);
  }

  document.querySelectorAll(".graph.network[data-src]").forEach(network);
  document.querySelectorAll(".graph.diagram[data-json]").forEach(diagram);
})();
