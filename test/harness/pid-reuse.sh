#!/usr/bin/env bash
# Pid wrap-around for rb-exec, run as pid 1 of a fresh pid namespace by
# rb-exec-pid-reuse.test.ts:
#
#   unshare --pid --fork --mount-proc --kill-child bash pid-reuse.sh RB_EXEC INT|TERM|EOF DIR
#
# rb-exec starts and reaps a process group leader with pid P; an unrelated
# process is then made to take the very number P as its pid and process group
# (ns_last_pid = P - 1, then setsid). rb-exec is stopped by SIGINT, SIGTERM or
# the end of its input. The unrelated process must survive it, while what
# rb-exec started and is still running must not: a live SPAWN leader, a member
# of its group, and a process an EXEC step left behind.
#
# Prints key=value lines; error=... when the setup itself failed. Everything
# still running when pid 1 exits is killed by the kernel with the namespace.
set -u
rb_exec=$1 how=$2 dir=$3

fail() {
  printf 'error=%s\n' "$*"
  exit 1
}

# proc_field PID N: field N of /proc/PID/stat after the command name (1 state, 3 process group)
proc_field() {
  local rest f
  rest=$(sed 's/^.*) //' "/proc/$1/stat" 2>/dev/null) || return 1
  read -r -a f <<<"$rest"
  printf '%s' "${f[$(($2 - 1))]}"
}
# running, not a zombie
alive() {
  local s
  s=$(proc_field "$1" 1) || return 1
  [ "$s" != Z ] && [ "$s" != X ]
}
yes_no() { if "$@"; then echo yes; else echo no; fi; }

coproc RB { exec "$rb_exec"; }
rb_pid=$RB_PID
rb_in=${RB[1]} rb_out=${RB[0]}

request() { printf '%s\n' "$@" >&"$rb_in"; }
reply() {
  IFS= read -r -t 10 reply_line <&"$rb_out" || fail "no reply from rb-exec"
  case $reply_line in *'"error":null}') ;; *) fail "rb-exec answered: $reply_line" ;; esac
  [[ $reply_line =~ \"pid\":([0-9]+) ]] && reply_pid=${BASH_REMATCH[1]}
}
wait_for_file() {
  local i
  for i in $(seq 100); do
    [ -s "$1" ] && return 0
    sleep 0.02
  done
  fail "$1 was not written"
}

# what rb-exec started and still runs: a SPAWN leader with another member in its group ...
request 'SEQ live 10000 1' 'SPAWN live /dev/null /dev/null 3' 'ARG sh' 'ARG -c' \
  "ARG sleep 1000 & echo \$! > $dir/member; exec sleep 1000" 'END'
reply
leader=$reply_pid
wait_for_file "$dir/member"
member=$(cat "$dir/member")
# ... and what an EXEC step left running, reparented to rb-exec (a subreaper) when its parent exited
request 'SEQ left 10000 1' 'EXEC left /dev/null /dev/null 3' 'ARG sh' 'ARG -c' \
  "ARG sleep 1000 & echo \$! > $dir/orphan" 'END'
reply
wait_for_file "$dir/orphan"
orphan=$(cat "$dir/orphan")

# a process group leader started and reaped: P
request 'SEQ reaped 10000 1' 'EXEC reaped /dev/null /dev/null 1' 'ARG true' 'END'
reply
reused=$reply_pid
[ -n "$reused" ] || fail "no pid in the reply"

# the unrelated process takes the number P as its pid, process group and session
echo $((reused - 1)) >/proc/sys/kernel/ns_last_pid || fail "cannot write /proc/sys/kernel/ns_last_pid"
setsid sleep 1000 {rb_in}>&- {rb_out}<&- &
unrelated=$!
for i in $(seq 100); do
  [ "$(proc_field "$unrelated" 3)" = "$unrelated" ] && break
  sleep 0.02
done
printf 'reused=%s\nunrelated=%s\nunrelated_pgid=%s\n' "$reused" "$unrelated" "$(proc_field "$unrelated" 3)"
alive "$unrelated" || fail "the unrelated process is not running"

case $how in
  INT | TERM) kill -s "$how" "$rb_pid" ;;
  EOF) exec {rb_in}>&- ;;
  *) fail "unknown way to stop rb-exec: $how" ;;
esac
for i in $(seq 250); do
  alive "$rb_pid" || break
  sleep 0.02
done
alive "$rb_pid" && fail "rb-exec did not exit"
wait "$rb_pid"
printf 'rb_exit=%s\n' "$?"
# a SIGKILL sent on the way out has landed by now
sleep 0.2

printf 'unrelated_alive=%s\n' "$(yes_no alive "$unrelated")"
printf 'leader_alive=%s\nmember_alive=%s\norphan_alive=%s\n' \
  "$(yes_no alive "$leader")" "$(yes_no alive "$member")" "$(yes_no alive "$orphan")"
kill -KILL "$unrelated" 2>/dev/null
exit 0
