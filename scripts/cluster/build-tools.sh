#!/usr/bin/env bash
# Builds the local control plane's tools once into $PLATFORM_CACHE_DIR, at pinned versions
# (scripts/cluster/versions.sh), from the Go module proxy:
#   kube      kube-apiserver, kube-controller-manager, kube-scheduler, kubectl  (~4 min cold)
#   kwok      fake nodes and pod lifecycle                                     (~1 min)
#   istioctl  analyze / validate                                               (~7 min, 2.4 GB)
#   crds      Istio and prometheus-operator CRDs, kwok's Stage config (from the module cache)
#   etcd      etcd v3.6.5 (a wrapper main; Debian's 3.4 is too old for the API server's watches)
#   bash scripts/cluster/build-tools.sh [kube|etcd|kwok|istioctl|crds|all]
# Quiet on success; a failed build prints the end of its log (under $PLATFORM_CACHE_DIR/logs).
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
source "$ROOT/scripts/cluster/versions.sh"
source "$ROOT/scripts/go-env.sh"
source "$ROOT/scripts/install-lib.sh"
WORK="$PLATFORM_CACHE_DIR/work"
mkdir -p "$WORK"
# One build per tool at a time (two setups may run together); different tools may build at once.
lock() { exec 9>"$WORK/.cluster-tools-$1.lock"; flock 9; }

moddir() { go mod download -json "$1" | sed -n 's/^\t"Dir": "\(.*\)",$/\1/p'; }

# `go install k8s.io/kubernetes/cmd/...@v` is refused (replace directives): a wrapper module
# requires k8s.io/kubernetes and pins every staging module it replaces with ./staging.
build_kube() {
  lock kube
  [[ -x "$KUBE_BIN/kubectl" && -x "$KUBE_BIN/kube-apiserver" && -x "$KUBE_BIN/kube-scheduler" && -x "$KUBE_BIN/kube-controller-manager" ]] && return 0
  local dir="$WORK/kube-$KUBE_VERSION"
  rm -rf "$dir" && mkdir -p "$dir" "$KUBE_BIN"
  local kmod
  kmod="$(cd "$dir" && go mod download -json "k8s.io/kubernetes@v$KUBE_VERSION" | sed -n 's/^\t"GoMod": "\(.*\)",$/\1/p')"
  {
    echo "module platform.local/kube-tools"
    echo
    echo "go 1.25.0"
    echo
    echo "require k8s.io/kubernetes v$KUBE_VERSION"
    echo
    echo "replace ("
    grep -oE '^\s*k8s\.io/[a-z0-9-]+ => \./staging' "$kmod" | awk -v v="v$KUBE_STAGING_VERSION" '{print "\t" $1 " => " $1 " " v}'
    echo ")"
  } >"$dir/go.mod"
  cat >"$dir/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  # Without the version flags the server says v0.0.0-master and kubectl refuses it.
  local minor="${KUBE_VERSION#1.}"; minor="${minor%%.*}"
  local ld="-s -w -X k8s.io/component-base/version.gitVersion=v$KUBE_VERSION -X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor"
  quietly kube-tidy bash -c "cd '$dir' && go mod tidy"
  local c
  for c in kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    quietly "build-$c" bash -c "cd '$dir' && go build -trimpath -ldflags '$ld' -o '$KUBE_BIN/$c.tmp' k8s.io/kubernetes/cmd/$c"
    mv "$KUBE_BIN/$c.tmp" "$KUBE_BIN/$c"
  done
}

# `go install go.etcd.io/etcd/v3@…` is refused (replace directives): a wrapper main calls etcdmain.
build_etcd() {
  lock etcd
  [[ -x "$ETCD_BIN/etcd" ]] && return 0
  local dir="$WORK/etcd-$ETCD_VERSION"
  rm -rf "$dir" && mkdir -p "$dir" "$ETCD_BIN"
  printf 'module platform.local/etcd\n\ngo 1.25.0\n\nrequire go.etcd.io/etcd/server/v3 %s\n' "$ETCD_VERSION" >"$dir/go.mod"
  printf 'package main\n\nimport (\n\t"os"\n\n\t"go.etcd.io/etcd/server/v3/etcdmain"\n)\n\nfunc main() { etcdmain.Main(os.Args) }\n' >"$dir/main.go"
  quietly build-etcd bash -c "cd '$dir' && go mod tidy && go build -trimpath -ldflags '-s -w' -o '$ETCD_BIN/etcd.tmp' ."
  mv "$ETCD_BIN/etcd.tmp" "$ETCD_BIN/etcd"
}

build_kwok() {
  lock kwok
  [[ -x "$KWOK_BIN/kwok" ]] && return 0
  mkdir -p "$KWOK_BIN"
  quietly build-kwok env GOBIN="$KWOK_BIN" GOFLAGS="$GOFLAGS -mod=mod" go install "sigs.k8s.io/kwok/cmd/kwok@$KWOK_VERSION"
}

build_istioctl() {
  lock istioctl
  [[ -x "$ISTIO_BIN/istioctl" ]] && return 0
  mkdir -p "$ISTIO_BIN"
  # One compile at a time: istioctl peaks at ~2.4 GB per compile.
  quietly build-istioctl env GOBIN="$ISTIO_BIN" go install -p 1 "istio.io/istio/istioctl/cmd/istioctl@$ISTIO_VERSION"
}

# The CRDs the stacks' objects need (Istio networking/security, prometheus-operator) and kwok's
# Stage config, taken from the same module versions the tools are built from.
fetch_crds() {
  lock crds
  [[ -f "$CRD_DIR/.complete" && -f "$KWOK_STAGES" ]] && return 0
  mkdir -p "$CRD_DIR" "$(dirname "$KWOK_STAGES")"
  local istio po kwok
  istio="$(cd "$WORK" && moddir "istio.io/istio@$ISTIO_VERSION")"
  po="$(cd "$WORK" && moddir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
  kwok="$(cd "$WORK" && moddir "sigs.k8s.io/kwok@$KWOK_VERSION")"
  install -m 0644 "$istio/manifests/charts/base/files/crd-all.gen.yaml" "$CRD_DIR/istio.yaml"
  cat "$po"/example/prometheus-operator-crd/*.yaml >"$CRD_DIR/prometheus-operator.yaml"
  local s out="$KWOK_STAGES.tmp"
  : >"$out"
  for s in node/fast/node-initialize node/heartbeat-with-lease/node-heartbeat-with-lease \
    pod/fast/pod-ready pod/fast/pod-complete pod/fast/pod-delete \
    volume/fast/pv-bind volume/fast/pv-delete volume/fast/pvc-provision volume/fast/pvc-delete; do
    printf -- '---\n' >>"$out"; cat "$kwok/kustomize/stage/$s.yaml" >>"$out"; echo >>"$out"
  done
  mv "$out" "$KWOK_STAGES"
  touch "$CRD_DIR/.complete"
}

case "${1:-all}" in
  kube) build_kube ;;
  etcd) build_etcd ;;
  kwok) build_kwok ;;
  istioctl) build_istioctl ;;
  crds) fetch_crds ;;
  all) build_kube; build_etcd; build_kwok; fetch_crds; build_istioctl ;;
  *) echo "usage: build-tools.sh [kube|etcd|kwok|istioctl|crds|all]" >&2; exit 2 ;;
esac
