#!/usr/bin/env bash
# README command 1: install what is needed, build, and bring up the demo station.
# The station is audible at http://localhost:8080/stream/demo.mp3 and the dashboard
# is at http://localhost:8080/dashboard/ (user "admin", password in ./data/admin-password).
# Flags after the command go to `grimnir serve` (e.g. `bash scripts/start.sh --port 9000`).
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=lib.sh
source scripts/lib.sh
bash scripts/install-system-deps.sh
ensure_pnpm
install_node_modules
# Build only when a package's sources are newer than its build. Running a station needs
# only the JavaScript, so this skips the type declarations (a fresh clone builds in
# ~15-30 s); `bash scripts/test.sh` and `pnpm build` build everything.
needs_build=0
for pkg in packages/*/; do
  [ -f "$pkg/package.json" ] || continue
  if [ ! -f "$pkg/dist/index.js" ] || [ -n "$(find "$pkg/src" "$pkg/package.json" -newer "$pkg/dist/index.js" -print -quit 2>/dev/null)" ]; then
    needs_build=1
  fi
done
if [ "$needs_build" = 1 ]; then
  echo "==> build (JavaScript only)"
  GRIMNIR_BUILD_DTS=0 pnpm -r --workspace-concurrency=2 build
else
  echo "==> build is up to date"
fi
echo "==> validate the demo station"
pnpm --silent grimnir validate examples/stations/demo.yaml
echo "==> grimnir serve (Ctrl-C stops it; first start generates the demo library in ./data)"
exec pnpm --silent grimnir serve "$@"
