# Sourced by the engine scripts: versions and cache locations (keyed by version).
# The CLI tracks @pulumi/pulumi in package.json; the providers track @pulumi/kubernetes and @pulumi/random.
PULUMI_VERSION="${PULUMI_VERSION:-3.248.0}"
PULUMI_KUBERNETES_VERSION="${PULUMI_KUBERNETES_VERSION:-4.34.2}"
PULUMI_RANDOM_VERSION="${PULUMI_RANDOM_VERSION:-4.21.2}"
# Newest sdk/v3 release on the module proxy that still carries the Node.js language host.
NODEJS_HOST_SDK_VERSION="${NODEJS_HOST_SDK_VERSION:-3.68.0}"
PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
ENGINE_BIN="$PLATFORM_CACHE_DIR/pulumi/$PULUMI_VERSION/bin"
ENGINE_WORK="$PLATFORM_CACHE_DIR/pulumi/$PULUMI_VERSION/work"
