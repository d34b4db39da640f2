#!/usr/bin/env bash
# npm run up:local — the real Pulumi engine applies the `local` stack to the local control plane:
#   the real CLI, Node.js language host and Kubernetes provider (built by `npm run setup`), a file
#   backend under .pulumi-local/ (git-ignored), passphrase secrets, the policy pack enforced inside
#   the engine, and the cluster of `npm run cluster -- up` (started here when it is not running).
# Engine: the `pulumi` CLI on PATH if there is one (PLATFORM_ENGINE=auto, the default), else the
# binaries setup built (PLATFORM_ENGINE=built forces them). Only the random provider is a local
# stand-in (scripts/engine/standins: the module proxy refuses the real one).
# Extra arguments go to the pulumi command, e.g. `npm run up:local -- --diff`.
# ENGINE_COMMAND=preview|destroy runs that instead of `up --yes`; PROJECT_DIR and STACK_CONFIG
# point it at another project (the tests' policy fixture); KUBECONFIG_FILE at another cluster.
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/engine/versions.sh"

STACK="${STACK:-local}"
PROJECT_DIR="${PROJECT_DIR:-$ROOT}"
STACK_CONFIG="${STACK_CONFIG:-$ROOT/stacks/Pulumi.$STACK.yaml}"
LOCAL_DIR="${PULUMI_LOCAL_DIR:-$ROOT/.pulumi-local}"
POLICY_PACK="${POLICY_PACK:-$ROOT/policies}"
COMMAND="${ENGINE_COMMAND:-up}"
KUBECONFIG_FILE="${KUBECONFIG_FILE:-$ROOT/.state/cluster/kubeconfig}"
say() { echo "[up:local] $*" >&2; }
T0=$SECONDS

# Development-only passphrase: it guards nothing but this machine's local stack state.
export PULUMI_CONFIG_PASSPHRASE="${PULUMI_CONFIG_PASSPHRASE:-platform-local-development}"
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DIY_BACKEND_NO_LEGACY_WARNING=true
# The CLI's home (credentials, plugin cache) under the state dir: nothing touches ~/.pulumi.
export PULUMI_HOME="$LOCAL_DIR/home"

engine="${PLATFORM_ENGINE:-auto}"
if [[ "$engine" == auto ]]; then
  if command -v pulumi >/dev/null 2>&1; then engine=installed; else engine=built; fi
fi
if [[ "$engine" == built ]]; then
  for b in pulumi pulumi-language-nodejs pulumi-resource-kubernetes; do
    [[ -x "$ENGINE_BIN/$b" ]] || { say "$b v$PULUMI_VERSION is not installed: run \`npm run setup\`"; exit 3; }
  done
  export PATH="$ENGINE_BIN:$PATH"
fi
# Only the plugins on PATH (ambient plugins): nothing is downloaded. The random provider's
# stand-in comes last, so a real one on PATH wins.
export PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true
export PATH="$PATH:$ROOT/scripts/engine/standins/bin"
command -v pulumi >/dev/null || { say "no pulumi CLI (PLATFORM_ENGINE=$engine)"; exit 1; }
say "engine: $(command -v pulumi) ($(pulumi version)), kubernetes provider: $(command -v pulumi-resource-kubernetes)"

if [[ "$KUBECONFIG_FILE" == "$ROOT/.state/cluster/kubeconfig" ]] && ! npx --no-install tsx "$ROOT/scripts/cluster/index.ts" status >/dev/null 2>&1; then
  say "starting the local cluster (npm run cluster -- up)"
  npx --no-install tsx "$ROOT/scripts/cluster/index.ts" up --stack "$STACK" >&2
fi
export KUBECONFIG="$KUBECONFIG_FILE"

mkdir -p "$LOCAL_DIR/state"
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
  "$STACK_CONFIG" "$config" "$KUBECONFIG" "$scratch/Pulumi.$STACK.yaml"

args=(--stack "$STACK" --config-file "$config" --non-interactive)
# The pack runs with the stack's policy config, the same file CI passes (npm run policy:config),
# so the engine here judges with the values the offline runner uses. A project other than ours
# (the tests' fixture) has no stack file: the pack's defaults.
policy=(--policy-pack "$POLICY_PACK")
if [[ "$PROJECT_DIR" == "$ROOT" ]]; then
  node --import "$ROOT/node_modules/tsx/dist/loader.mjs" "$ROOT/policies/config.ts" --stack "$STACK" --out "$LOCAL_DIR/policy-config.json"
  policy+=(--policy-pack-config "$LOCAL_DIR/policy-config.json")
fi
case "$COMMAND" in
  up) args+=(--yes "${policy[@]}") ;;
  preview) args+=("${policy[@]}") ;;
  destroy) args+=(--yes) ;;
esac
cd "$PROJECT_DIR"
set +e
pulumi "$COMMAND" "${args[@]}" "$@"
rc=$?
set -e
count="$(pulumi stack export --stack "$STACK" 2>/dev/null | node -e '
let s = ""; process.stdin.on("data", (d) => (s += d)).on("end", () => {
  const r = (JSON.parse(s || "{}").deployment?.resources ?? []).filter((x) => x.custom);
  const k = r.filter((x) => x.type.startsWith("kubernetes:")).length;
  console.log(`${r.length} resources in state (${k} Kubernetes objects)`);
});' || echo "no state")"
say "$COMMAND of $STACK: exit $rc in $((SECONDS - T0))s; $count; cluster: $KUBECONFIG"
exit "$rc"
