#!/usr/bin/env bash
# Sign the macOS app bundle with a Developer ID, notarize it, staple it, and package it.
#
#   packaging/macos/sign_and_notarize.sh ["dist/Billing Desktop.app"]
#
# Input: the .app that `pyinstaller packaging/billing_desktop.spec` builds on macOS (a BUNDLE of
# the one-folder build). Output, in dist/: BillingDesktop-<version>-macos.dmg (signed,
# notarized, stapled) and BillingDesktop-<version>-macos.zip (the stapled app).
#
# Secrets come from the environment only:
#   DEVELOPER_ID_APPLICATION  the signing identity, "Developer ID Application: Name (TEAMID)",
#                             in a keychain this user can read (the workflow imports it)
#   and for notarization either
#   NOTARY_KEYCHAIN_PROFILE   a profile saved by `xcrun notarytool store-credentials`
#   or all three of
#   APPLE_ID                  the Apple Account (e-mail) of a member of the team
#   APPLE_TEAM_ID             the team's 10-character id
#   APPLE_APP_PASSWORD        an app-specific password of that Apple Account
# A missing one stops the script at once, before anything macOS-specific: exit status 2 and one
# line naming the variable.
#
# The steps follow Apple's "Creating distribution-signed code for macOS" and "Packaging Mac
# software for distribution", and PyInstaller's notes on signing app bundles (PyInstaller does not
# sign a .app itself):
#   1. each Mach-O file outside a framework (.so, .dylib, helper executables), deepest first;
#   2. each .framework bundle (Qt's), deepest first, as a bundle;
#   3. the app, which signs its main executable with the entitlements and seals the resources;
#   all with `codesign --force --options runtime --timestamp`, one code item at a time from the
#   inside out. Nothing is signed recursively: that would give every nested item the app's
#   options and entitlements, and miss code stored where macOS expects data.
#   4. zip (ditto --keepParent) -> `xcrun notarytool submit --wait` -> `xcrun stapler staple` on
#      the app -> Gatekeeper assessment (`spctl -a -vv`);
#   5. a disk image of the stapled app: signed, notarized and stapled in turn.
set -euo pipefail

fail() {
    echo "sign_and_notarize: $*" >&2
    exit 2
}

# --- secrets first: plain shell, so this part runs (and fails clearly) on any OS -------------
if [ -z "${DEVELOPER_ID_APPLICATION:-}" ]; then
    fail "missing environment variable DEVELOPER_ID_APPLICATION" \
        "(the 'Developer ID Application: Name (TEAMID)' signing identity)"
fi
if [ -z "${NOTARY_KEYCHAIN_PROFILE:-}" ]; then
    for name in APPLE_ID APPLE_TEAM_ID APPLE_APP_PASSWORD; do
        if [ -z "${!name:-}" ]; then
            fail "missing environment variable $name" \
                "(or set NOTARY_KEYCHAIN_PROFILE to a 'notarytool store-credentials' profile)"
        fi
    done
fi

# --- then the machine and the bundle ------------------------------------------------------------
[ "$(uname -s)" = "Darwin" ] || fail "runs on macOS only (codesign, notarytool, stapler)"
for tool in codesign xcrun ditto hdiutil spctl plutil file; do
    command -v "$tool" >/dev/null || fail "'$tool' not found: install the Xcode command line tools"
done
cd "$(dirname "$0")/../.."
APP=${1:-"dist/Billing Desktop.app"}
APP=${APP%/}
[ -d "$APP/Contents/MacOS" ] || fail "no app bundle at '$APP': build it first" \
    "(pyinstaller --noconfirm packaging/billing_desktop.spec)"
ENTITLEMENTS=packaging/macos/entitlements.plist
VERSION=$(/usr/libexec/PlistBuddy -c "Print :CFBundleShortVersionString" "$APP/Contents/Info.plist")
MAIN=$(/usr/libexec/PlistBuddy -c "Print :CFBundleExecutable" "$APP/Contents/Info.plist")
BASE="dist/BillingDesktop-$VERSION-macos"
WORK=$(mktemp -d)
trap 'rm -rf "$WORK"' EXIT

sign() {
    # One code item, hardened runtime, secure timestamp; extra options (entitlements) after.
    codesign --force --options runtime --timestamp --sign "$DEVELOPER_ID_APPLICATION" "$@"
}

deepest_first() {
    # Paths on stdin, one a line, most nested first (inside-out order).
    awk -F/ '{ print NF "\t" $0 }' | sort -rn -k1,1 | cut -f2-
}

notarize() {
    # Submit one file (zip, dmg) and wait for the verdict; print the log when it is refused.
    local file=$1 result status id
    local credentials=()
    if [ -n "${NOTARY_KEYCHAIN_PROFILE:-}" ]; then
        credentials=(--keychain-profile "$NOTARY_KEYCHAIN_PROFILE")
    else
        credentials=(--apple-id "$APPLE_ID" --team-id "$APPLE_TEAM_ID"
            --password "$APPLE_APP_PASSWORD")
    fi
    echo "--- notarizing $file (this takes a few minutes)"
    result=$(xcrun notarytool submit "$file" "${credentials[@]}" --wait --output-format plist)
    status=$(plutil -extract status raw -o - - <<<"$result")
    id=$(plutil -extract id raw -o - - <<<"$result")
    echo "notarization $id: $status"
    if [ "$status" != "Accepted" ]; then
        xcrun notarytool log "$id" "${credentials[@]}" >&2 || true
        echo "sign_and_notarize: Apple refused $file ($status); its log is above" >&2
        exit 1
    fi
}

echo "--- 1. Mach-O files outside frameworks, deepest first"
count=0
while IFS= read -r path; do
    case "$path" in
        *.framework/*) continue ;;                  # signed with its framework (step 2)
        "$APP/Contents/MacOS/$MAIN") continue ;;    # signed with the app (step 3)
    esac
    if file -b "$path" | grep -q "Mach-O"; then
        sign "$path"
        count=$((count + 1))
    fi
done < <(find "$APP/Contents" -type f | deepest_first)
echo "signed $count files"

echo "--- 2. frameworks, deepest first"
while IFS= read -r framework; do
    sign "$framework"
    echo "signed ${framework#"$APP/"}"
done < <(find "$APP/Contents" -type d -name "*.framework" | deepest_first)

echo "--- 3. the app, with $ENTITLEMENTS on its main executable"
sign --entitlements "$ENTITLEMENTS" "$APP"
codesign --verify --strict --verbose=2 "$APP"

echo "--- 4. notarize and staple the app"
ditto -c -k --keepParent "$APP" "$WORK/app.zip"
notarize "$WORK/app.zip"
xcrun stapler staple "$APP"
xcrun stapler validate "$APP"
spctl -a -vv -t exec "$APP"

echo "--- 5. disk image and zip of the stapled app"
bash packaging/macos/make_dmg.sh "$APP" "$BASE.dmg"
codesign --force --timestamp --sign "$DEVELOPER_ID_APPLICATION" "$BASE.dmg"
notarize "$BASE.dmg"
xcrun stapler staple "$BASE.dmg"
spctl -a -vv -t open --context context:primary-signature "$BASE.dmg"
rm -f "$BASE.zip"
ditto -c -k --keepParent "$APP" "$BASE.zip"
echo "done: $BASE.dmg and $BASE.zip (signed by $DEVELOPER_ID_APPLICATION, notarized, stapled)"
