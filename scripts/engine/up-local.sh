#!/usr/bin/env bash
# npm run up:local — the real Pulumi engine on the `local` stack, offline:
#   file backend under .pulumi-local/ (git-ignored), passphrase secrets, the policy pack enforced
#   inside the engine, and the Kubernetes provider rendering manifests to a directory instead of
#   talking to a cluster (no kubeconfig needed).
# Engine: the `pulumi` CLI on PATH if there is one (PLATFORM_ENGINE=auto, the default), else the
# binaries built from the Go module proxy by build-engine.sh (cached per version, built once).
# PLATFORM_ENGINE=built forces the built binaries; PLATFORM_ENGINE=installed forces the PATH CLI.
# Extra arguments go to the pulumi command, e.g. `npm run up:local -- --diff`.
# ENGINE_COMMAND=preview runs `pulumi preview` instead of `up --yes` (same setup); PROJECT_DIR
# and STACK_CONFIG point it at another project (the tests' policy fixture).
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
# shellcheck source=versions.sh
source "$ROOT/scripts/engine/versions.sh"

STACK="${STACK:-local}"
PROJECT_DIR="${PROJECT_DIR:-$ROOT}"
STACK_CONFIG="${STACK_CONFIG:-$ROOT/stacks/Pulumi.$STACK.yaml}"
LOCAL_DIR="${PULUMI_LOCAL_DIR:-$ROOT/.pulumi-local}"
RENDER_DIR="${RENDER_DIR:-$LOCAL_DIR/manifests/$STACK}"
POLICY_PACK="${POLICY_PACK:-$ROOT/policies}"
COMMAND="${ENGINE_COMMAND:-up}"
say() { echo "[up:local] $*" >&2; }

# Development-only passphrase: it guards nothing but this machine's local stack state.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-platform-local-development}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The CLI's home (credentials, plugin cache) under the repo: nothing touches ~/.pulumi.
export PULUMI_HOME="$LOCAL_DIR/home"
unset KUBECONFIG

engine="${PLATFORM_ENGINE:-auto}"
if [[ "$engine" == auto ]]; then
  if command -v pulumi >/dev/null 2>&1; then engine=installed; else engine=built; fi
fi
if [[ "$engine" == built ]]; then
  bash "$ROOT/scripts/engine/build-engine.sh" all >/dev/null
  export PATH="$ENGINE_BIN:$PATH"
  # Only the plugins on PATH: nothing is downloaded.
  export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
  # Providers the proxy would not serve: local stand-ins, after ENGINE_BIN so a built provider wins.
  export PATH="$PATH:$ROOT/scripts/engine/standins/bin"
  for p in kubernetes random; do
    [[ -x "$ENGINE_BIN/pulumi-resource-$p" ]] ||
      say "provider $p: local stand-in (scripts/engine/standins; the real one could not be built here)"
  done
fi
command -v pulumi >/dev/null || { say "no pulumi CLI (PLATFORM_ENGINE=$engine)"; exit 1; }
say "engine: $(command -v pulumi) ($(pulumi version))"

mkdir -p "$LOCAL_DIR/state" "$RENDER_DIR"
pulumi login --non-interactive "file://$LOCAL_DIR/state" >/dev/null

# A scratch project (same name) so `stack init` writes the passphrase salt there and never into
# the committed stacks/Pulumi.<stack>.yaml.
project="$(sed -n 's/^name: *//p' "$PROJECT_DIR/Pulumi.yaml" | head -1)"
scratch="$LOCAL_DIR/project"
mkdir -p "$scratch"
printf 'name: %s\nruntime: nodejs\n' "$project" >"$scratch/Pulumi.yaml"
if ! pulumi stack select --non-interactive -C "$scratch" "$STACK" >/dev/null 2>&1; then
  say "creating stack $STACK (file backend $LOCAL_DIR/state, passphrase secrets)"
  pulumi stack init --non-interactive -C "$scratch" --secrets-provider passphrase "$STACK" >/dev/null
fi

config="$LOCAL_DIR/Pulumi.$STACK.yaml"
node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/scripts/engine/local-config.ts" \
  "$STACK_CONFIG" "$config" "$RENDER_DIR" "$scratch/Pulumi.$STACK.yaml"

args=(--stack "$STACK" --config-file "$config" --non-interactive --policy-pack "$POLICY_PACK")
[[ "$COMMAND" == up ]] && args+=(--yes)
cd "$PROJECT_DIR"
export RENDER_DIR
set +e
pulumi "$COMMAND" "${args[@]}" "$@"
rc=$?
set -e
count="$(find "$RENDER_DIR" -name '*.yaml' | wc -l | tr -d ' ')"
say "manifests: $RENDER_DIR ($count files)"
say "state: file://$LOCAL_DIR/state  config: $config"
exit "$rc"
