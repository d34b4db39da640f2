# Sourced by the engine scripts: versions and cache locations (keyed by version).
# The CLI and language host track @pulumi/pulumi in package.json; the Kubernetes provider tracks
# @pulumi/kubernetes (both 4.25.0: the newest provider source the module proxy serves).
PULUMI_VERSION="${PULUMI_VERSION:-3.248.0}"
PULUMI_KUBERNETES_VERSION="${PULUMI_KUBERNETES_VERSION:-4.25.0}"
# The proxy serves the provider module at tag v4.25.0 only under this pseudo-version.
PULUMI_KUBERNETES_MODULE_VERSION="${PULUMI_KUBERNETES_MODULE_VERSION:-v4.0.0-20260115033456-f47bc2d6f199}"
# The provider's go.mod replaces sdk/v4 with ../sdk; the published sdk module stands in.
PULUMI_KUBERNETES_SDK_VERSION="${PULUMI_KUBERNETES_SDK_VERSION:-v4.24.0}"
PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
ENGINE_BIN="$PLATFORM_CACHE_DIR/pulumi/$PULUMI_VERSION/bin"
ENGINE_WORK="$PLATFORM_CACHE_DIR/pulumi/$PULUMI_VERSION/work"
# The language host's upstream source (refused by the module proxy), shipped beside the repo.
PULUMI_VENDOR_DIR="${PULUMI_VENDOR_DIR:-$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)/shared/vendor}"
