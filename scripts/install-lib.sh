# Sourced by the tool installers (scripts/*.sh). Two rules from the README's quick start:
# only `npm run setup` installs or builds a tool (it exports PLATFORM_INSTALL=1); anywhere else a
# missing tool fails at once with one line naming it. Installers are quiet on success.

# `quietly <log name> <command...>`: runs the command with its output in
# $PLATFORM_CACHE_DIR/logs/<log name>.log; prints nothing on success, and on failure the log's
# last lines and its path, then fails with the command's exit code.
quietly() {
  local name="$1"; shift
  local dir="${PLATFORM_CACHE_DIR:-$HOME/.cache/platform}/logs"
  mkdir -p "$dir"
  local log="$dir/$name.log" rc=0
  "$@" >"$log" 2>&1 || rc=$?
  [[ $rc -eq 0 ]] && return 0
  { echo "---- $name failed (exit $rc); last lines of $log:"; tail -n 40 "$log"; } >&2
  return "$rc"
}

# `install_allowed <tool description>`: returns when this run may install (setup); otherwise
# prints the one line and exits 3.
install_allowed() {
  [[ "${PLATFORM_INSTALL:-}" == 1 ]] && return 0
  echo "$1 is not installed: run \`npm run setup\`" >&2
  exit 3
}
