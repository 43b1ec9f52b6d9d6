# shellcheck shell=bash
# The log and the status file of one Rust CLI build, shared by scripts/build-wasmtime-cli.sh
# and scripts/build-wasmer-cli.sh. The caller sets NAME (the status name), LOG and STATUS_DIR.

# fail REASON: $STATUS_DIR/$NAME.failed gets the reason and the log (one line), and the script ends.
fail() {
  printf '%s; log: %s\n' "$1" "$LOG" >"$STATUS_DIR/$NAME.failed"
  echo "!!! BUILD FAILED: $NAME: $1 (log: $LOG)" >&2
  exit 1
}

# last_error LOGFILE: the first compiler error, else the last line that is not a command.
last_error() {
  local line
  line=$(grep -E '^error(\[E[0-9]+\])?: |: (fatal )?error: ' "$1" 2>/dev/null | grep -v 'could not compile' | head -n 1)
  [ -n "$line" ] || line=$(grep -v '^[[:space:]]*$' "$1" 2>/dev/null | grep -v '^ *Running `' | tail -n 1)
  printf '%s' "${line:0:300}"
}

# units_line SECONDS: what a `cargo -v` build in $LOG reused ("Fresh") and compiled, appended to it.
units_line() {
  printf 'units reused from the shared target dir: %s, compiled: %s, %ss\n' \
    "$(grep -cE '^ +Fresh ' "$LOG")" "$(grep -cE '^ +Compiling ' "$LOG")" "$1" | tee -a "$LOG"
}
