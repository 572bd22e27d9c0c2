#!/usr/bin/env bash
# Fetch the SPARQL editor (YASGUI: YASQE editor + YASR results) from the npm registry into
# yasgui/. The files are committed, so a clone needs neither npm nor a network to serve them;
# run this only to change the version (then update yasgui/README.md and test the query page).
#
#   bash endpoint/static/vendor/fetch.sh [VERSION]
set -euo pipefail
PACKAGE="@zazuko/yasgui"
VERSION="${1:-4.6.2}"
here="$(cd "$(dirname "$0")" && pwd)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# npm pack downloads the published tarball and checks it against the registry's integrity hash
(cd "$tmp" && npm pack --silent "${PACKAGE}@${VERSION}" >/dev/null)
tar -xzf "$tmp"/zazuko-yasgui-"$VERSION".tgz -C "$tmp"
mkdir -p "$here/yasgui"
cp "$tmp/package/build/yasgui.min.js" "$tmp/package/build/yasgui.min.css" "$here/yasgui/"
cp "$tmp/package/package.json" "$here/yasgui/package.json"
(cd "$here/yasgui" && sha256sum yasgui.min.js yasgui.min.css package.json)
