// The maps, drawn with Leaflet (and Leaflet.markercluster), served locally; no tile server: the
// base map is the département contours the data ships (/map/contours), so nothing is asked of
// another host (the pages' CSP refuses it).
//  - .map[data-src]: communes with their counts (home page, an actor's page), as JSON places.
//  - .map[data-layers]: the full map (/map): base map, the QPV contours (simplified), the
//    innovations and connectors by point or commune centre, clustered, with a filter.
//  - .map[data-around]: a resource's small map (QPV, commune, innovation, actor pages): the
//    full contours and the points of /map/around, over the base map.
// Each map says what it drew in data-rendered (and data-qpv, data-points), for tests and readers.
(function () {
  "use strict";
  if (!window.L || !window.qpvkgLinks) return;
  const links = window.qpvkgLinks;
  // without Leaflet.markercluster (a page that does not load it), points are not grouped
  const group = L.markerClusterGroup || function () { return L.featureGroup(); };
  const FRANCE = [46.6, 2.4];
  const COLOURS = { innovation: "#c2410c", connector: "#1d4ed8" };
  const BASE = { color: "#8a9aa8", weight: 1, fillColor: "#ffffff", fillOpacity: 1, interactive: false };
  const QPV = { color: "#7b2d8e", weight: 1, fillColor: "#b565c9", fillOpacity: 0.45 };

  function getJSON(url, accept) {
    return fetch(url, { headers: { Accept: accept || "application/geo+json" } }).then(function (r) {
      if (!r.ok) throw new Error(url + ": " + r.status);
      return r.json();
    });
  }

  function newMap(el, options) {
    const map = L.map(el, Object.assign({
      zoomControl: true, attributionControl: true, keyboard: true, zoomSnap: 0.5,
      minZoom: 3, maxZoom: 18,  // no tile layer gives them; Leaflet.markercluster needs one
    }, options || {})).setView(FRANCE, 5);
    map.attributionControl.setPrefix(false);
    map.attributionControl.addAttribution(el.dataset.attribution || "");
    el.qpvkgMap = map;
    return map;
  }

  function baseLayer(map, url) {
    if (!url) return Promise.resolve(null);
    return getJSON(url).then(function (data) {
      return L.geoJSON(data, { style: BASE, pane: "tilePane" }).addTo(map);
    });
  }

  // a popup's content: the resource's link and what the feature says (text only)
  function popup(props, el) {
    const box = document.createElement("div");
    box.appendChild(links.link(props.href, props.label || props.code || props.id));
    const more = [];
    if (props.code && props.code !== props.label) more.push(props.code);
    if (props.kind && el.dataset["kind" + props.kind]) more.push(el.dataset["kind" + props.kind]);
    if (props.how === "commune" && props.communeLabel) {
      more.push((el.dataset.atCommune || "") + " " + props.communeLabel);
    }
    if (more.length) box.appendChild(links.text(more.join(" · "), "p"));
    return box;
  }

  function marker(feature, latlng, el) {
    const props = feature.properties || {};
    const kind = props.kind === "connector" ? "connector" : "innovation";
    const icon = L.divIcon({
      className: "place-marker place-" + kind + (props.how === "point" ? " place-exact" : ""),
      iconSize: [16, 16],
      html: "",
    });
    // a marker is a focusable element: Tab reaches it, Enter opens its popup
    const m = L.marker(latlng, { icon: icon, keyboard: true, title: props.label || "", alt: props.label || "" });
    m.bindPopup(popup(props, el));
    m.bindTooltip(links.text(props.label || ""));  // a string would be read as HTML
    return m;
  }

  // ------------------------------------------------------------------ communes (data-src)

  function placesMap(el) {
    const map = newMap(el);
    const note = document.getElementById(el.id + "-note");
    baseLayer(map, el.dataset.base).catch(function () { /* the points still show */ });
    getJSON(el.dataset.src, "application/json")
      .then(function (data) {
        const points = [];
        (data.places || []).forEach(function (place) {
          if (place.lat === null || place.lon === null) return;
          const radius = 5 + 3 * Math.sqrt(place.innovations + place.connectors);
          const m = L.circleMarker([place.lat, place.lon], {
            radius: radius, color: "#0b3d60", weight: 1, fillColor: "#1f77b4", fillOpacity: 0.7,
          });
          const box = document.createElement("div");
          box.appendChild(links.link(place.href, place.label));
          box.appendChild(links.text(place.innovations + " " + el.dataset.markerInnovations +
            (place.connectors ? " · " + place.connectors + " " + el.dataset.markerConnectors : ""), "p"));
          m.bindPopup(box);
          m.bindTooltip(links.text(place.label));
          m.addTo(map);
          points.push([place.lat, place.lon]);
        });
        if (points.length) map.fitBounds(points, { padding: [20, 20], maxZoom: 9 });
        if (note && !note.textContent.trim()) note.textContent = points.length ? "" : el.dataset.empty;
        el.dataset.rendered = String(points.length);
      })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  // ------------------------------------------------------------------ one resource (data-around)

  function aroundMap(el) {
    const map = newMap(el);
    const base = baseLayer(map, el.dataset.base);
    const own = getJSON(el.dataset.around).then(function (data) {
      const clusters = group({ showCoverageOnHover: false, maxClusterRadius: 40 });
      let shapes = 0, points = 0;
      const layer = L.geoJSON(data, {
        style: function () { return QPV; },
        pointToLayer: function (feature, latlng) {
          const kind = (feature.properties || {}).kind;
          if (kind === "innovation" || kind === "connector") {
            points += 1;
            clusters.addLayer(marker(feature, latlng, el));
            return null;
          }
          points += 1;
          return L.circleMarker(latlng, {
            radius: kind === "commune" ? 5 : 6, color: "#333", weight: 1,
            fillColor: kind === "commune" ? "#ffffff" : "#7b2d8e", fillOpacity: 1,
          });
        },
        onEachFeature: function (feature, l) {
          if (feature.geometry && feature.geometry.type !== "Point") shapes += 1;
          l.bindPopup(popup(feature.properties || {}, el));
          l.bindTooltip(links.text((feature.properties || {}).label || ""));
        },
      }).addTo(map);
      clusters.addTo(map);
      const bounds = layer.getBounds();
      if (clusters.getLayers().length) bounds.extend(clusters.getBounds());
      if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 15 });
      el.dataset.qpv = String(shapes);
      el.dataset.points = String(points);
      const note = document.getElementById(el.id + "-note");
      if (note) note.textContent = shapes + points ? "" : el.dataset.empty;
      return shapes + points;
    });
    Promise.all([base, own])
      .then(function (r) { el.dataset.rendered = String(r[1]); })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  // ------------------------------------------------------------------ the full map (data-layers)

  function fullMap(el) {
    const map = newMap(el, { preferCanvas: true });
    const renderer = L.canvas({ padding: 0.2 });
    const status = document.getElementById(el.id + "-note");
    const form = document.getElementById(el.id + "-filter");
    let qpvLayer = null;
    const clusters = group({ showCoverageOnHover: false, chunkedLoading: true });
    clusters.addTo(map);

    const base = baseLayer(map, el.dataset.base);
    // /map?geometry=full draws the contours whole: the peer of benchmarks/map_load.py
    const full = new URLSearchParams(window.location.search).get("geometry") === "full";
    const qpv = getJSON(el.dataset.qpv + (full ? "?geometry=full" : "")).then(function (data) {
      qpvLayer = L.geoJSON(data, {
        style: function () { return QPV; },
        renderer: renderer,
        onEachFeature: function (feature, l) {
          l.bindPopup(popup(feature.properties || {}, el));
        },
      }).addTo(map);
      el.dataset.qpv = String(data.features.length);
      return data.features.length;
    });

    function placesUrl() {
      const url = new URL(el.dataset.places, document.baseURI);
      if (form) {
        new FormData(form).forEach(function (value, key) {
          if (value) url.searchParams.set(key, String(value));
        });
      }
      return url.pathname + url.search;
    }

    function drawPlaces() {
      el.dataset.points = "";
      return getJSON(placesUrl()).then(function (data) {
        clusters.clearLayers();
        const markers = [];
        (data.features || []).forEach(function (feature) {
          const c = feature.geometry.coordinates;
          markers.push(marker(feature, L.latLng(c[1], c[0]), el));
        });
        if (clusters.addLayers) clusters.addLayers(markers); else markers.forEach(function (m) { clusters.addLayer(m); });
        el.dataset.points = String(markers.length);
        if (status) {
          status.textContent = (el.dataset.shown || "").replace("{n}", String(markers.length));
        }
        return markers.length;
      });
    }

    if (form) {
      form.addEventListener("change", function () { drawPlaces(); });
      form.addEventListener("submit", function (event) { event.preventDefault(); drawPlaces(); });
      const toggle = form.querySelector("input[name=qpv-layer]");
      if (toggle) {
        toggle.removeAttribute("name");  // not a parameter of the places
        toggle.addEventListener("change", function () {
          if (!qpvLayer) return;
          if (toggle.checked) qpvLayer.addTo(map); else map.removeLayer(qpvLayer);
        });
      }
    }
    Promise.all([base, qpv, drawPlaces()])
      .then(function (r) {
        // drawn: the canvas paints on the next frame; the time since navigation started
        window.requestAnimationFrame(function () {
          el.dataset.drawnMs = String(Math.round(window.performance.now()));
          el.dataset.rendered = String(r[1] + r[2]);
        });
      })
      .catch(function () { el.dataset.rendered = "error"; });
  }

  document.querySelectorAll(".map[data-layers]").forEach(fullMap);
  document.querySelectorAll(".map[data-around]").forEach(aroundMap);
  document.querySelectorAll(".map[data-src]").forEach(placesMap);
})();
