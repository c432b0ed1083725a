#!/usr/bin/env bash
# README command 2: install what is needed, then build, lint, document and test everything.
set -euo pipefail
REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$REPO_ROOT"
# shellcheck source=lib.sh
source scripts/lib.sh
bash scripts/install-system-deps.sh
ensure_pnpm
install_node_modules
echo "==> build";     pnpm build
echo "==> typecheck"; pnpm typecheck
echo "==> lint";      pnpm lint
echo "==> docs";      pnpm exec typedoc
echo "==> unit tests";        pnpm test:unit
echo "==> integration tests"; pnpm test:int
