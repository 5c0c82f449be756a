#!/usr/bin/env bash
# Build the one-folder bundle with packaging/billing_desktop.spec and run its self-test.
#
#   bash packaging/build_bundle.sh
#
# Uses the project's virtualenv (.venv, made by the README's set-up command; override with
# PYTHON=/path/to/python) and installs the `packaging` extra (PyInstaller) into it. Builds into
# build/pyinstaller (work files) and dist/ (the bundle); both are ignored by git. Then runs
# `<bundle>/billing-desktop --self-test build/self-test` offscreen, and prints the bundle's size
# and the time taken. Exit status: non-zero when the build or the self-test fails.
#
# This is the Linux step of CI (.ci/run). On Windows and macOS the same spec is built by
# .github/workflows/installers.yml, whose steps are the same as these.
set -euo pipefail
cd "$(dirname "$0")/.."

started=$(date +%s)
PYTHON=${PYTHON:-.venv/bin/python}
if [ ! -x "$PYTHON" ]; then
    echo "build_bundle: $PYTHON not found: make the virtualenv first (see README, Quick start)" >&2
    exit 2
fi
export QT_QPA_PLATFORM=offscreen
export PIP_DISABLE_PIP_VERSION_CHECK=1

echo "--- installing the packaging extra (PyInstaller)"
"$PYTHON" -m pip install -q -e '.[packaging]'

echo "--- pyinstaller packaging/billing_desktop.spec"
rm -rf dist/billing-desktop build/self-test
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
    --workpath build/pyinstaller --distpath dist packaging/billing_desktop.spec
built=$(date +%s)

bundle=dist/billing-desktop
case "$(uname -s)" in
    Darwin) executable="dist/Billing Desktop.app/Contents/MacOS/billing-desktop" ;;
    MINGW* | MSYS* | CYGWIN*) executable="$bundle/billing-desktop-cli.exe" ;;
    *) executable="$bundle/billing-desktop" ;;
esac

echo "--- self-test of the bundle: $executable --self-test build/self-test"
# Outside the source tree's import path: the bundle must not borrow modules or files from it.
(cd build && env -u PYTHONPATH "../$executable" --self-test self-test)

echo "--- bundle"
echo "size: $(du -sh "$bundle" | cut -f1) in $bundle ($(find "$bundle" -type f | wc -l) files)"
echo "time: build $((built - started)) s, self-test $(($(date +%s) - built)) s, total $(($(date +%s) - started)) s"
