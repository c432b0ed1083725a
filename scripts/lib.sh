# Shared helpers for the repo's shell scripts. Source it; do not run it.
# shellcheck shell=bash

GRIMNIR_PNPM_VERSION="12.4.2"

# Make `pnpm` at the pinned version available on PATH, using only Node + npm.
ensure_pnpm() {
  if command -v pnpm >/dev/null 2>&1 && [ "$(pnpm --version 2>/dev/null)" = "$GRIMNIR_PNPM_VERSION" ]; then
    return 0
  fi
  echo "==> installing pnpm@$GRIMNIR_PNPM_VERSION with npm"
  local prefix
  prefix="$(npm config get prefix)"
  if [ -w "$prefix" ] || [ "$(id -u)" = "0" ]; then
    npm install --global --no-fund --no-audit "pnpm@$GRIMNIR_PNPM_VERSION" >/dev/null
  else
    # No write access to npm's global prefix: install into the repo's tool folder.
    npm install --prefix "$REPO_ROOT/.tmp/tools" --no-fund --no-audit "pnpm@$GRIMNIR_PNPM_VERSION" >/dev/null
    export PATH="$REPO_ROOT/.tmp/tools/node_modules/.bin:$PATH"
  fi
  hash -r
  pnpm --version >/dev/null
}

# Install the repo's npm dependencies exactly as locked.
install_node_modules() {
  echo "==> pnpm install"
  pnpm install --frozen-lockfile
}
