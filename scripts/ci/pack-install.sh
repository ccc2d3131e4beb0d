#!/usr/bin/env bash
# Installs Skene as users will (`npm i -D skene @skene/sdk`), from this repo's own packages:
# `npm pack` of each published package, the tarballs installed into a fresh project in a temp
# folder outside the repo (third-party dependencies from the registry), then `skene init`,
# `skene check`, `skene plan` and the project's own `tsc --noEmit`: the starter config must
# type-check, and a typo in a nested union (the trigger's `type`) must fail both tsc and check.
#
# Why: nothing else catches a package that works in the workspace but not once published
# (`exports` into src/, files missing from `files`, a dependency only the workspace provides).
#
# Usage: scripts/ci/pack-install.sh      (after `npm run build`; writes nothing inside the repo)
# Env:   SKENE_PACK_TYPESCRIPT  the TypeScript the project installs (default: typescript, the latest)
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
typescript=${SKENE_PACK_TYPESCRIPT:-typescript}
# Called from `npm run …`, npm's workspace settings would follow the script into the project.
unset npm_config_workspace npm_config_workspaces npm_config_include_workspace_root

work=$(mktemp -d "${TMPDIR:-/tmp}/skene-pack-install.XXXXXX")
cleanup() { rm -rf "$work"; }
trap cleanup EXIT
case "$work/" in "$repo"/*) echo "pack-install: FAIL: the temp folder $work is inside the repo" >&2 && exit 1 ;; esac

started=$(date +%s%N)
step_started=$started
ms() { echo $((($(date +%s%N) - $1) / 1000000)); }
fail() {
  echo "pack-install: FAIL: $*" >&2
  exit 1
}
step() {
  echo "pack-install: $1 ($(ms "$step_started") ms)"
  step_started=$(date +%s%N)
}
# Runs a command with its standard output in $work/out.log (errors in err.log); on a failure,
# prints both and stops.
run() {
  local what=$1
  shift
  if ! "$@" >"$work/out.log" 2>"$work/err.log"; then
    cat "$work/out.log" "$work/err.log" >&2
    fail "$what: \`$*\` exited non-zero (output above)"
  fi
}

# 1. The tarballs: @skene/sdk (users' configs import it), skene (the CLI) and @skene/core (the CLI's engine).
for pkg in sdk core cli; do
  [ -f "$repo/packages/$pkg/dist/index.js" ] || [ -f "$repo/packages/$pkg/dist/main.js" ] ||
    fail "packages/$pkg is not built: run \`npm run build\` first"
done
tarballs="$work/tarballs"
mkdir -p "$tarballs"
for pkg in sdk core cli; do
  (cd "$repo/packages/$pkg" && run "npm pack packages/$pkg" npm pack --pack-destination "$tarballs")
done
sdk_tgz=$(ls "$tarballs"/skene-sdk-*.tgz)
core_tgz=$(ls "$tarballs"/skene-core-*.tgz)
cli_tgz=$(ls "$tarballs"/skene-[0-9]*.tgz)
step "packed $(cd "$tarballs" && echo *.tgz)"

# 2. A fresh project that installs what a user installs: skene and @skene/sdk (and TypeScript).
# @skene/core is not the project's dependency: npm takes it from its tarball through `overrides`
# only where a package depends on it, so a CLI that forgot to declare it fails here.
app="$work/app"
mkdir -p "$app"
cd "$app"
run 'npm init' npm init -y
node -e '
  const fs = require("node:fs");
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8"));
  pkg.overrides = { "@skene/core": "file:" + process.argv[1] };
  fs.writeFileSync("package.json", JSON.stringify(pkg, null, 2) + "\n");
' "$core_tgz"
run 'npm install' npm install --save-dev --no-audit --no-fund "$cli_tgz" "$sdk_tgz" "$typescript"
[ -x node_modules/.bin/skene ] || fail 'npm installed no skene binary (package.json "bin")'
step "installed the tarballs and $typescript ($(node_modules/.bin/tsc --version))"

# 3. skene init: in this project (skene and @skene/sdk declared already: kept as they are), and in
# a bare package.json, which gets both in devDependencies.
before=$(cat package.json)
run 'skene init' npx --no -- skene init
init_out=$(cat "$work/out.log")
[ -f skene.config.ts ] || fail 'skene init wrote no skene.config.ts'
[ "$(cat package.json)" = "$before" ] || fail 'skene init changed the package.json that already declares skene and @skene/sdk'
mkdir "$work/bare"
(cd "$work/bare" && run 'npm init (bare)' npm init -y)
run 'skene init (bare)' npx --no -- skene init "$work/bare"
node -e '
  const read = (file) => JSON.parse(require("node:fs").readFileSync(file, "utf8"));
  const [bare, repo] = process.argv.slice(1);
  const dev = read(bare).devDependencies ?? {};
  const want = { "@skene/sdk": "^" + read(repo + "/packages/sdk/package.json").version, skene: "^" + read(repo + "/packages/cli/package.json").version };
  if (JSON.stringify(dev) !== JSON.stringify(want)) {
    console.error("devDependencies: " + JSON.stringify(dev) + ", expected " + JSON.stringify(want));
    process.exit(1);
  }
' "$work/bare/package.json" "$repo" || fail 'skene init did not add skene and @skene/sdk to a bare package.json'
grep -q 'npm install' "$work/out.log" || fail 'skene init (bare) did not say to run npm install'
step 'skene init'

# 4. skene check and skene plan, as the starter's next steps say (its seed, its pinned instant).
run 'skene check' npx --no -- skene check
plan_args=$(grep -o 'npx skene plan --seed [^ ]* --at [^ ]*' <<<"$init_out" | head -1 | sed 's/^npx skene plan //') ||
  fail "skene init printed no \`npx skene plan --seed … --at …\` step:
$init_out"
expected=$(grep -o 'the plan at [^ ]* has [0-9]* email' <<<"$init_out" | grep -o '[0-9]* email' | grep -o '[0-9]*') ||
  fail "skene init did not say how many emails its seed plans:
$init_out"
# shellcheck disable=SC2086 # plan_args is `--seed <file> --at <iso>`, words by design
run 'skene plan' npx --no -- skene plan $plan_args --format json
emails=$(node -e '
  const count = (x) => Array.isArray(x) ? x.reduce((n, y) => n + count(y), 0)
    : x && typeof x === "object" ? Object.entries(x).reduce((n, [k, v]) => n + (k === "emails" && Array.isArray(v) ? v.length : count(v)), 0) : 0;
  console.log(count(JSON.parse(require("node:fs").readFileSync(process.argv[1], "utf8"))));
' "$work/out.log") || fail 'skene plan --format json printed no JSON report'
[ "$emails" = "$expected" ] || fail "skene plan $plan_args: $emails emails, the starter promises $expected"
step "skene check; skene plan $plan_args: $emails email(s)"

# 5. The project's own tsc: with module nodenext (the package is CommonJS, as `npm init` makes it)
# and with moduleResolution bundler (an app's usual setting). Library types are checked too
# (skipLibCheck off): the .d.ts files the tarballs ship must hold up.
cat >tsconfig.json <<'JSON'
{
  "compilerOptions": { "module": "nodenext", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false, "types": [] },
  "include": ["skene.config.ts"]
}
JSON
cat >tsconfig.bundler.json <<'JSON'
{
  "compilerOptions": { "module": "preserve", "moduleResolution": "bundler", "target": "es2022", "strict": true, "noEmit": true, "skipLibCheck": false, "types": [] },
  "include": ["skene.config.ts"]
}
JSON
run 'tsc (nodenext)' npx --no -- tsc --noEmit
run 'tsc (bundler)' npx --no -- tsc --noEmit -p tsconfig.bundler.json
step 'tsc --noEmit: the starter config type-checks (nodenext and bundler)'

# 6. A typo in a nested union: the first trigger's `type` loses its last letter ('database' → 'databas').
node -e '
  const fs = require("node:fs");
  const text = fs.readFileSync("skene.config.ts", "utf8");
  const typo = text.replace(/(trigger: \{ type: \x27[a-z]+)[a-z]\x27/, "$1\x27");
  if (typo === text) { console.error("no `trigger: { type: ...` in skene.config.ts"); process.exit(1); }
  fs.writeFileSync("skene.config.ts", typo);
' || fail 'could not put a typo in skene.config.ts'
typo=$(grep -o "trigger: { type: '[a-z]*'" skene.config.ts | head -1)
for project in tsconfig.json tsconfig.bundler.json; do
  if npx --no -- tsc --noEmit -p "$project" >"$work/out.log" 2>&1; then
    fail "tsc -p $project passed a config with a typo in the trigger's type: $typo"
  fi
  grep -q 'skene.config.ts' "$work/out.log" || fail "tsc -p $project failed, but not on skene.config.ts: $(cat "$work/out.log")"
done
tsc_error=$(grep -m1 -o 'error TS[0-9]*' "$work/out.log" || true)
if npx --no -- skene check >"$work/out.log" 2>&1; then
  fail "skene check passed a config with a typo in the trigger's type: $typo"
fi
step "$typo fails tsc (nodenext and bundler: $tsc_error) and skene check"

echo "pack-install: OK in $(ms "$started") ms"
