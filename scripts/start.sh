#!/usr/bin/env bash
# README command 1: install what is needed, build, and bring up the demo station.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=lib.sh
source scripts/lib.sh
bash scripts/install-system-deps.sh
ensure_pnpm
install_node_modules
echo "==> build"; pnpm build
echo "==> validate the demo station"
pnpm --silent grimnir validate examples/stations/demo.yaml
cat <<'MSG'

The demo station's configuration is valid. Playout (`grimnir serve`, the engine and
the audible stream at http://localhost:8080/stream/demo.mp3) is not built yet:
see the open issues "Media engine" and "Reference server" in the tracker.
MSG
