#!/usr/bin/env bash
# Fetch the vendored browser libraries from the npm registry, each at its pinned version, into
# a folder of its own beside this script. The files are committed, so a clone needs neither npm
# nor a network to serve them; run this only to change a version (then update the library's
# README.md and run the browser tests).
#
#   bash endpoint/static/vendor/fetch.sh                 # every library, at its pinned version
#   bash endpoint/static/vendor/fetch.sh yasgui [VERSION]
#   bash endpoint/static/vendor/fetch.sh leaflet [VERSION]
#   bash endpoint/static/vendor/fetch.sh markercluster [VERSION]
#   bash endpoint/static/vendor/fetch.sh cytoscape [VERSION]
#   bash endpoint/static/vendor/fetch.sh swagger-ui [VERSION]
#
# | folder     | npm package      | version | licence      | used by                             |
# |------------|------------------|---------|--------------|-------------------------------------|
# | yasgui/    | @zazuko/yasgui   | 4.6.2   | MIT          | the query page (/sparql)            |
# | leaflet/   | leaflet          | 1.9.4   | BSD-2-Clause | the map (home page, /map)           |
# | markercluster/ | leaflet.markercluster | 1.5.3 | MIT     | clusters of points on the maps      |
# | cytoscape/ | cytoscape        | 3.34.4  | MIT          | the network view, the ontology diagram |
# | swagger-ui/ | swagger-ui-dist | 5.35.0  | Apache-2.0   | the API documentation (/-/docs)     |
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"

# npm pack downloads the published tarball and checks it against the registry's integrity hash
unpack() {  # PACKAGE VERSION TMP -> the package's folder, unpacked under TMP
  (cd "$3" && npm pack --silent "$1@$2" >/dev/null)
  tar -xzf "$3"/*.tgz -C "$3"
}

fetch_yasgui() {
  local version="${1:-4.6.2}" tmp
  tmp="$(mktemp -d)"
  unpack "@zazuko/yasgui" "$version" "$tmp"
  mkdir -p "$here/yasgui"
  cp "$tmp/package/build/yasgui.min.js" "$tmp/package/build/yasgui.min.css" "$here/yasgui/"
  cp "$tmp/package/package.json" "$here/yasgui/package.json"
  (cd "$here/yasgui" && sha256sum yasgui.min.js yasgui.min.css package.json)
  rm -rf "$tmp"
}

fetch_leaflet() {
  local version="${1:-1.9.4}" tmp
  tmp="$(mktemp -d)"
  unpack "leaflet" "$version" "$tmp"
  mkdir -p "$here/leaflet/images"
  cp "$tmp/package/dist/leaflet.js" "$tmp/package/dist/leaflet.css" "$here/leaflet/"
  cp "$tmp/package/dist/images/"*.png "$here/leaflet/images/"
  cp "$tmp/package/LICENSE" "$tmp/package/package.json" "$here/leaflet/"
  (cd "$here/leaflet" && sha256sum leaflet.js leaflet.css images/*.png package.json)
  rm -rf "$tmp"
}

fetch_markercluster() {
  local version="${1:-1.5.3}" tmp
  tmp="$(mktemp -d)"
  unpack "leaflet.markercluster" "$version" "$tmp"
  mkdir -p "$here/markercluster"
  cp "$tmp/package/dist/leaflet.markercluster.js" "$tmp/package/dist/MarkerCluster.css" \
    "$tmp/package/dist/MarkerCluster.Default.css" "$tmp/package/MIT-LICENCE.txt" \
    "$tmp/package/package.json" "$here/markercluster/"
  (cd "$here/markercluster" && sha256sum leaflet.markercluster.js MarkerCluster.css \
    MarkerCluster.Default.css package.json)
  rm -rf "$tmp"
}

fetch_cytoscape() {
  local version="${1:-3.34.4}" tmp
  tmp="$(mktemp -d)"
  unpack "cytoscape" "$version" "$tmp"
  mkdir -p "$here/cytoscape"
  cp "$tmp/package/dist/cytoscape.min.js" "$tmp/package/LICENSE" "$tmp/package/package.json" \
    "$here/cytoscape/"
  (cd "$here/cytoscape" && sha256sum cytoscape.min.js package.json)
  rm -rf "$tmp"
}

fetch_swagger_ui() {  # the bundle and its stylesheet only: no preset, no source maps
  local version="${1:-5.35.0}" tmp
  tmp="$(mktemp -d)"
  unpack "swagger-ui-dist" "$version" "$tmp"
  mkdir -p "$here/swagger-ui"
  cp "$tmp/package/swagger-ui-bundle.js" "$tmp/package/swagger-ui-bundle.js.LICENSE.txt" \
    "$tmp/package/swagger-ui.css" "$tmp/package/LICENSE" "$tmp/package/NOTICE" \
    "$tmp/package/package.json" "$here/swagger-ui/"
  (cd "$here/swagger-ui" && sha256sum swagger-ui-bundle.js swagger-ui.css package.json)
  rm -rf "$tmp"
}

case "${1:-all}" in
  yasgui) fetch_yasgui "${2:-}" ;;
  leaflet) fetch_leaflet "${2:-}" ;;
  markercluster) fetch_markercluster "${2:-}" ;;
  cytoscape) fetch_cytoscape "${2:-}" ;;
  swagger-ui) fetch_swagger_ui "${2:-}" ;;
  all) fetch_yasgui; fetch_leaflet; fetch_markercluster; fetch_cytoscape; fetch_swagger_ui ;;
  *) echo "unknown library: $1 (yasgui, leaflet, markercluster, cytoscape, swagger-ui)" >&2; exit 2 ;;
esac
