/**
 * Deliberately broken runtimes: bash wrappers around a real OCI runtime, each breaking one
 * promise (an edited copy of config.json, a lie in `state` or in the exit code, a skipped
 * delete...). The conformance checks must catch exactly the promise each one breaks.
 */
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface Breakage {
  /** jq filter applied to config.json (via a copy) before create / run. */
  config?: string;
  /** jq filter applied to `state` output. */
  state?: string;
  /** `run` reports 0 whatever the container's exit code. */
  exitZero?: boolean;
  /** `delete` without --force does nothing; a failed create leaves a state entry and a cgroup. */
  leaky?: boolean;
  /** A second `start` is reported as a success. */
  lenientStart?: boolean;
  /** `delete` always forces. */
  forceDelete?: boolean;
  /**
   * `delete` without --force of a container that is not stopped is refused, as the spec asks
   * (runc, crun and runsc delete a created one): a base on which lifecycle.delete-created passes.
   */
  strictDelete?: boolean;
  /** `kill ... TERM` does nothing. */
  ignoreTerm?: boolean;
  /** A failing `kill` is reported as a success. */
  lenientKill?: boolean;
  /** `kill` of a container that is `created` (not started) does nothing and reports success. */
  ignoreKillCreated?: boolean;
  /** `create` of an id in use replaces the existing container. */
  replaceId?: boolean;
  /** `create` only records the request; the real create happens at `start`, reading config.json late. */
  lazyCreate?: boolean;
  /** `run` starts the process without a mount namespace (unshare of the others, no pivot). */
  hostMountNs?: boolean;
  /** The container's fd 2 goes nowhere (create and run get stderr /dev/null). */
  dropStderr?: boolean;
  /** `create` drops its --pid-file argument: the file is never written. */
  noPidFile?: boolean;
  /** The runtime runs under libfaketime 30 days in the past: an in-process Wasm handler's realtime clock lies. */
  fakeClock?: boolean;
}

/** Debian's libfaketime (package faketime). */
export const LIBFAKETIME = '/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1';

const q = (s: string) => `'${s.replace(/'/g, `'\\''`)}'`;

export function wrapperScript(real: string, b: Breakage): string {
  return `#!/bin/bash
# A deliberately broken OCI runtime for runbench's tests: wraps ${real}.
REAL=${q(real)}
${b.fakeClock ? `export LD_PRELOAD=${q(LIBFAKETIME)} FAKETIME=-30d` : ''}
${b.dropStderr ? `case " $* " in *" create "*|*" run "*) exec 2>/dev/null ;; esac` : ''}
args=("$@")
root=""; sub=""; subi=-1
for ((i = 0; i < \${#args[@]}; i++)); do
  a="\${args[$i]}"
  case "$a" in
    --root) root="\${args[$((i + 1))]}"; i=$((i + 1)) ;;
    --log|--log-format|--criu|--rootless) i=$((i + 1)) ;;
    --*=*|-*) ;;
    *) sub="$a"; subi=$i; break ;;
  esac
done
rest=("\${args[@]:$((subi + 1))}")
bundle=""; id=""; force=0
for ((i = 0; i < \${#rest[@]}; i++)); do
  case "\${rest[$i]}" in
    --bundle|-b) bundle="\${rest[$((i + 1))]}"; i=$((i + 1)) ;;
    --pid-file|--console-socket|--preserve-fds) i=$((i + 1)) ;;
    --force|-f) force=1 ;;
    -*) ;;
    *) [ -z "$id" ] && id="\${rest[$i]}" ;;
  esac
done
edit_config() {
  [ -n "$bundle" ] || return 0
  ${b.config ? `cp "$bundle/config.json" "$bundle/config.json.orig" && jq ${q(b.config)} "$bundle/config.json.orig" >"$bundle/config.json" || exit 99` : 'return 0'}
}
case "$sub" in
  create)
    edit_config
    ${
      b.lazyCreate
        ? `o=$(readlink /proc/$$/fd/1); e=$(readlink /proc/$$/fd/2); { printf '%s\\n' "$o" "$e"; printf '%s\\n' "$@"; } >"$root/.lazy-$id"; exit 0`
        : ':'
    }
    ${b.replaceId ? `"$REAL" --root "$root" state "$id" >/dev/null 2>&1 && "$REAL" --root "$root" delete --force "$id" >/dev/null 2>&1` : ':'}
    ${
      b.noPidFile
        ? `kept=(); skip=0
    for a in "$@"; do
      if [ $skip -eq 1 ]; then skip=0; continue; fi
      case "$a" in --pid-file) skip=1; continue ;; --pid-file=*) continue ;; esac
      kept+=("$a")
    done
    set -- "\${kept[@]}"`
        : ':'
    }
    "$REAL" "$@"; rc=$?
    ${
      b.leaky
        ? `if [ $rc -ne 0 ]; then
      mkdir -p "$root/$id"
      cg=$(jq -r '.linux.cgroupsPath // empty' "$bundle/config.json")
      [ -n "$cg" ] && for h in /sys/fs/cgroup/pids /sys/fs/cgroup/memory; do [ -d "$h" ] && mkdir -p "$h$cg"; done
    fi`
        : ':'
    }
    exit $rc ;;
  run)
    edit_config
    ${
      b.hostMountNs
        ? `cfg="$bundle/config.json"
    rootfs=$(jq -r '.root.path' "$cfg"); cwd=$(jq -r '.process.cwd' "$cfg")
    mapfile -t envs < <(jq -r '.process.env[]' "$cfg")
    mapfile -t argv < <(jq -r '.process.args[]' "$cfg")
    exec unshare --pid --ipc --uts --net --fork --kill-child --wd="$rootfs$cwd" env -i "\${envs[@]}" "$rootfs\${argv[0]}" "\${argv[@]:1}"`
        : ''
    }
    "$REAL" "$@"; rc=$?
    ${b.exitZero ? 'exit 0' : 'exit $rc'} ;;
  state)
    ${b.state ? `out=$("$REAL" "$@") || exit $?; printf '%s\\n' "$out" | jq ${q(b.state)}; exit $?` : ':'} ;;
  start)
    ${
      b.lazyCreate
        ? `lazy="$root/.lazy-$id"
    if [ -f "$lazy" ]; then
      { read -r out; read -r err; mapfile -t saved; } <"$lazy"; rm -f "$lazy"
      "$REAL" "\${saved[@]}" >"$out" 2>"$err" || exit $?
    fi`
        : ':'
    }
    ${b.lenientStart ? `"$REAL" "$@" 2>/dev/null; exit 0` : ':'} ;;
  delete)
    ${b.leaky ? `[ $force -eq 0 ] && exit 0` : ':'}
    ${b.forceDelete ? `[ $force -eq 0 ] && exec "$REAL" --root "$root" delete --force "$id"` : ':'}
    ${
      b.strictDelete
        ? `if [ $force -eq 0 ]; then
      st=$("$REAL" --root "$root" state "$id" 2>/dev/null | jq -r .status)
      if [ -n "$st" ] && [ "$st" != stopped ]; then echo "cannot delete container $id that is $st" >&2; exit 1; fi
    fi`
        : ':'
    } ;;
  kill)
    ${b.ignoreTerm ? `case "\${rest[-1]}" in TERM|SIGTERM|15) exit 0 ;; esac` : ':'}
    ${b.lenientKill ? `"$REAL" "$@" 2>/dev/null; exit 0` : ':'}
    ${b.ignoreKillCreated ? `[ "$("$REAL" --root "$root" state "$id" 2>/dev/null | jq -r .status)" = created ] && exit 0` : ':'} ;;
esac
exec "$REAL" "$@"
`;
}

export function writeWrapper(dir: string, name: string, real: string, b: Breakage): string {
  const path = join(dir, name);
  writeFileSync(path, wrapperScript(real, b));
  chmodSync(path, 0o755);
  return path;
}
