#!/usr/bin/env bash
# Make a compressed disk image holding the app and a link to /Applications (drag to install).
#
#   packaging/macos/make_dmg.sh "dist/Billing Desktop.app" dist/BillingDesktop-0.1.0-macos.dmg
#
# Used by sign_and_notarize.sh (which then signs, notarizes and staples the image) and by the
# installers workflow for an unsigned build when no signing secrets are set.
set -euo pipefail

[ $# -eq 2 ] || { echo "usage: make_dmg.sh APP OUT.dmg" >&2; exit 2; }
[ "$(uname -s)" = "Darwin" ] || { echo "make_dmg: runs on macOS only (hdiutil)" >&2; exit 2; }
APP=${1%/}
OUT=$2
[ -d "$APP/Contents/MacOS" ] || { echo "make_dmg: no app bundle at '$APP'" >&2; exit 2; }

STAGE=$(mktemp -d)
trap 'rm -rf "$STAGE"' EXIT
# ditto keeps the symlinks, extended attributes and signatures of the bundle as they are.
ditto "$APP" "$STAGE/$(basename "$APP")"
ln -s /Applications "$STAGE/Applications"
rm -f "$OUT"
hdiutil create -volname "Billing Desktop" -srcfolder "$STAGE" -ov -format UDZO "$OUT"
echo "wrote $OUT"
