# Sourced by every script that builds a Go tool: one module cache and one build cache under
# $PLATFORM_CACHE_DIR (so a cold cache dir means a cold build, and nothing is written into the
# user's own Go setup), plus the toolchain on PATH. GOMODCACHE/GOCACHE may be set by the caller.
PLATFORM_CACHE_DIR="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}"
export PATH="$PATH:/usr/local/go/bin"
export GOPATH="${GOPATH_PLATFORM:-$PLATFORM_CACHE_DIR/go}"
export GOMODCACHE="${GOMODCACHE:-$GOPATH/pkg/mod}"
export GOCACHE="${GOCACHE:-$PLATFORM_CACHE_DIR/go-build}"
export GOFLAGS="-modcacherw -buildvcs=false"
export CGO_ENABLED=0
# The checksum database has no entry for some Pulumi module versions (404 on lookup); the proxy
# still serves them, so skip only those modules' sumdb check.
export GONOSUMDB="${GONOSUMDB:-github.com/pulumi}"
command -v go >/dev/null || { echo "Go toolchain not found (needed to build the tools; see README)" >&2; exit 1; }
