// Maps of communes (home page, /map, an actor's page) drawn with Leaflet, served locally. The
// communes come as JSON from the element's data-src; a commune is drawn where the graph holds its
// point. No base map: tiles would come from another host, which the pages' CSP refuses.
(function () {
  "use strict";
  if (!window.L || !window.qpvkgLinks) return;
  const links = window.qpvkgLinks;
  const FRANCE = [46.6, 2.4];

  function popup(place, el) {
    const box = document.createElement("div");
    box.appendChild(links.link(place.href, place.label));
    const counts = document.createElement("p");
    counts.textContent = place.innovations + " " + el.dataset.markerInnovations +
      (place.connectors ? " · " + place.connectors + " " + el.dataset.markerConnectors : "");
    box.appendChild(counts);
    return box;
  }

  function draw(el) {
    const map = L.map(el, { zoomControl: true, attributionControl: true }).setView(FRANCE, 5);
    el.qpvkgMap = map;
    const note = document.getElementById(el.id + "-note");
    fetch(el.dataset.src, { headers: { Accept: "application/json" } })
      .then(function (r) { return r.json(); })
      .then(function (data) {
        const points = [];
        (data.places || []).forEach(function (place) {
          if (place.lat === null || place.lon === null) return;
          const radius = 5 + 3 * Math.sqrt(place.innovations + place.connectors);
          const marker = L.circleMarker([place.lat, place.lon], {
            radius: radius, color: "#0b3d60", weight: 1, fillColor: "#1f77b4", fillOpacity: 0.7,
          });
          marker.bindPopup(popup(place, el));
          marker.bindTooltip(links.text(place.label));  // a string would be read as HTML
          marker.addTo(map);
          points.push([place.lat, place.lon]);
        });
        if (points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 9 });
        if (note && !note.textContent.trim()) {
          note.textContent = points.length ? "" : el.dataset.empty;
        }
        el.dataset.rendered = String(points.length);
      })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  document.querySelectorAll(".map[data-src]").forEach(draw);
})();
