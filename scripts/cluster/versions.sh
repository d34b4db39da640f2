# Sourced by the cluster scripts: pinned versions and where each built binary lives.
KUBE_VERSION="${KUBE_VERSION:-1.35.4}"          # kube-apiserver, controller-manager, scheduler, kubectl
KUBE_STAGING_VERSION="0.${KUBE_VERSION#1.}"     # k8s.io/<staging module> v0.35.4
KWOK_VERSION="${KWOK_VERSION:-v0.8.0}"
# etcd from Go, not Debian's 3.4.23: older than 3.4.31, it cannot serve the API server's
# watch-progress requests, and clients that stream watch lists (kwok) stop seeing changes.
ETCD_VERSION="${ETCD_VERSION:-v3.6.5}"
# Istio release tags are refused by the module proxy; this master snapshot (calls itself 1.30)
# is one of the three it serves.
ISTIO_VERSION="${ISTIO_VERSION:-v0.0.0-20260827124520-eed52ebb66ad}"
PROMETHEUS_OPERATOR_VERSION="${PROMETHEUS_OPERATOR_VERSION:-v0.85.0}"
PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
KUBE_BIN="$PLATFORM_CACHE_DIR/kube/$KUBE_VERSION/bin"
KWOK_BIN="$PLATFORM_CACHE_DIR/kwok/$KWOK_VERSION/bin"
ETCD_BIN="$PLATFORM_CACHE_DIR/etcd/$ETCD_VERSION/bin"
ISTIO_BIN="$PLATFORM_CACHE_DIR/istioctl/$ISTIO_VERSION/bin"
CRD_DIR="$PLATFORM_CACHE_DIR/crds/istio-$ISTIO_VERSION-po-$PROMETHEUS_OPERATOR_VERSION"
KWOK_STAGES="$PLATFORM_CACHE_DIR/kwok/$KWOK_VERSION/stages.yaml"
