/*
 * rb-exec: the timing path of runbench.
 *
 * Node's child_process spawn costs about twice what a C fork/exec does (~1.4 ms vs
 * ~0.7 ms for /bin/true), which is 10% of a crun `run`. So runbench keeps one of
 * these small processes alive per session and sends it sequences of steps over a
 * pipe; the clock is read here, right around posix_spawn and wait4, exactly where
 * hyperfine reads it. Node only schedules samples and parses the replies.
 *
 * It is a child subreaper, so a container's init process (orphaned when
 * `RUNTIME create` exits) is reparented here and its exit can be waited for
 * without polling `RUNTIME state`.
 *
 * Protocol (stdin, one item per line; arguments may not contain newlines):
 *   SEQ <id> <timeout_ms> <nsteps>
 *   then nsteps steps, each one of:
 *     EXEC <label> <stdout_path> <stderr_path> <argc>   followed by argc lines
 *     SPAWN <label> <stdout_path> <stderr_path> <argc>  (started, not waited; pid returned)
 *     WAITPID <label> <pidfile>                          (wait for the pid written there)
 *     WAITCHILD <label> <pid>                            (wait for a pid started by SPAWN)
 *     READ <label> <path>                                (a small file, e.g. a cgroup counter)
 *     SLEEPMS <label> <ms>
 *   KILLALL   (kill what this helper started that still runs, and reap it)
 * Reply (stdout): one JSON object per SEQ on one line.
 * On EOF of stdin, SIGTERM, SIGINT or SIGHUP (runbench exited, was killed or
 * interrupted) what it started and is still running is killed before it exits, so
 * nothing it started outlives runbench. PR_SET_PDEATHSIG covers runbench dying with SIGKILL.
 *
 * Only numbers that cannot have been handed to another process are signalled: a
 * process (group) id is used while the process holding it is an unreaped child of this
 * helper, never after. pid_max may be as low as 32768 and a long run starts far more
 * processes than that, so a remembered id of a reaped process soon names someone else's.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <spawn.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

#define MAX_LINE 65536
#define MAX_ARGS 512
#define MAX_STEPS 64

static volatile sig_atomic_t timed_out;

static void on_alarm(int sig) { (void)sig; timed_out = 1; }

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/*
 * The leaders of the process groups this helper started (every EXEC and SPAWN gets a
 * group of its own), each from its start until it is reaped, when it is forgotten: from
 * then on its number is free for any other process. The array grows as needed.
 * The SIGTERM handler reads it: an entry is stored before the count grows, a grown
 * array is published only once it is a complete copy, and the handler never changes it
 * in a way the interrupted code could see (it ends the process).
 */
static pid_t *volatile leaders;
static volatile sig_atomic_t nleaders;
static size_t leaders_cap;

/* Room for one more leader; called before the clock read, so starting one never allocates. */
static int reserve_leader(void) {
  if ((size_t)nleaders < leaders_cap) return 0;
  size_t cap = leaders_cap ? leaders_cap * 2 : 16;
  pid_t *grown = malloc(cap * sizeof *grown);
  if (!grown) return -1;
  pid_t *old = leaders;
  if (nleaders > 0) memcpy(grown, old, (size_t)nleaders * sizeof *grown);
  atomic_signal_fence(memory_order_seq_cst);
  leaders = grown;
  atomic_signal_fence(memory_order_seq_cst);
  leaders_cap = cap;
  free(old);
  return 0;
}

static void remember_leader(pid_t pid) {
  leaders[nleaders] = pid;
  atomic_signal_fence(memory_order_seq_cst);
  nleaders = nleaders + 1;
}

/* Called for every pid this helper reaps: a no-op unless it was a leader. */
static void forget_leader(pid_t pid) {
  int n = nleaders;
  for (int i = 0; i < n; i++) {
    if (leaders[i] == pid) {
      leaders[i] = leaders[n - 1];
      atomic_signal_fence(memory_order_seq_cst);
      nleaders = n - 1;
      return;
    }
  }
}

/*
 * True while pid is a child of this helper, running or a zombie: until this helper
 * reaps it, its number (as a pid and as a process group id) cannot name anyone else.
 */
static int is_child(pid_t pid) {
  siginfo_t si;
  return pid > 0 && waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0;
}

/* Only for a child (see is_child): kills it and the process group it leads, if any. */
static void kill_child(pid_t pid) {
  kill(-pid, SIGKILL);
  kill(pid, SIGKILL);
}

/*
 * /proc/thread-self/children, the children of this helper: its own and the orphans
 * reparented here (it is a subreaper), such as what an EXEC step left running in the
 * background. -1 when /proc belongs to another pid namespace (its numbers are not ours)
 * or the kernel does not list children.
 */
static int children_fd = -1;

static void open_children_list(void) {
  FILE *f = fopen("/proc/thread-self/status", "re");
  if (!f) return;
  char l[256];
  int same_numbers = 0;
  while (fgets(l, sizeof l, f)) {
    if (strncmp(l, "NSpid:", 6) != 0) continue;
    /* one entry, our own pid: this /proc is our pid namespace's */
    char *end;
    long v = strtol(l + 6, &end, 10);
    while (*end == ' ' || *end == '\t') end++;
    same_numbers = v == (long)getpid() && (*end == '\n' || *end == 0);
    break;
  }
  fclose(f);
  if (same_numbers) children_fd = open("/proc/thread-self/children", O_RDONLY | O_CLOEXEC);
}

static void kill_listed(long pid, int digits, int *n) {
  if (digits > 0 && digits <= 10 && pid > 0 && pid <= INT_MAX) {
    kill_child((pid_t)pid);
    (*n)++;
  }
}

/* Kills every child /proc lists now, each with its group; returns how many it listed. */
static int kill_listed_children(void) {
  static char buf[4096];
  if (children_fd < 0 || lseek(children_fd, 0, SEEK_SET) < 0) return 0;
  long cur = 0;
  int digits = 0, n = 0;
  for (;;) {
    ssize_t got = read(children_fd, buf, sizeof buf);
    if (got < 0 && errno == EINTR) continue;
    if (got <= 0) break;
    for (ssize_t i = 0; i < got; i++) {
      if (buf[i] >= '0' && buf[i] <= '9') {
        if (++digits <= 10) cur = cur * 10 + (buf[i] - '0');
        continue;
      }
      kill_listed(cur, digits, &n);
      cur = 0;
      digits = 0;
    }
  }
  kill_listed(cur, digits, &n);
  return n;
}

/*
 * Kills what this helper started that still runs and reaps it: the groups of leaders
 * not reaped yet, then every child with the group it leads, round after round, since the
 * children of a killed process are reparented here, until no child is left (or 100 ms).
 * Async-signal-safe: the SIGTERM handler calls it.
 */
static void kill_all(void) {
  pid_t *l = leaders;
  int n = nleaders;
  for (int i = 0; i < n; i++)
    if (is_child(l[i])) kill_child(l[i]);
  for (int round = 0; round < 50; round++) {
    kill_listed_children();
    int reaped = 0;
    pid_t p;
    while ((p = waitpid(-1, NULL, WNOHANG | __WALL)) > 0) {
      forget_leader(p);
      reaped++;
    }
    if (p < 0 && errno == ECHILD) break;
    if (!reaped) {
      struct timespec ts = {0, 2000000};
      nanosleep(&ts, NULL);
    }
  }
}

/* Interrupted (runbench's Ctrl-C or SIGTERM): kill what we started, then go. */
static void on_term(int sig) {
  kill_all();
  _exit(128 + sig);
}

static char *read_line(char *buf, size_t n) {
  if (!fgets(buf, (int)n, stdin)) return NULL;
  size_t len = strlen(buf);
  if (len && buf[len - 1] == '\n') buf[len - 1] = 0;
  return buf;
}

static void json_str(FILE *out, const char *s) {
  fputc('"', out);
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (c == '"' || c == '\\') fprintf(out, "\\%c", c);
    else if (c < 0x20) fprintf(out, "\\u%04x", c);
    else fputc(c, out);
  }
  fputc('"', out);
}

static void arm_timer(uint64_t deadline_ns) {
  struct itimerval it = {0};
  uint64_t t = now_ns();
  uint64_t left = deadline_ns > t ? deadline_ns - t : 1000;
  it.it_value.tv_sec = (time_t)(left / 1000000000ull);
  it.it_value.tv_usec = (suseconds_t)((left % 1000000000ull) / 1000);
  if (it.it_value.tv_sec == 0 && it.it_value.tv_usec == 0) it.it_value.tv_usec = 1;
  setitimer(ITIMER_REAL, &it, NULL);
}

static void disarm_timer(void) {
  struct itimerval it = {0};
  setitimer(ITIMER_REAL, &it, NULL);
}

/*
 * Other children exit while we wait for one: a runtime's helper processes reparented
 * here (runsc's gofer, a container init). They are reaped at once, because a runtime
 * that checks whether its helper is gone with kill(pid, 0) sees a zombie as alive,
 * and their status is kept in case a later WAITPID step asks for one of them.
 */
#define MAX_STASH 256
struct stashed {
  pid_t pid;
  int status;
  struct rusage ru;
  uint64_t at_ns;
};
static struct stashed stash[MAX_STASH];
static int nstash;

static void stash_put(pid_t pid, int status, const struct rusage *ru) {
  struct stashed *e = &stash[nstash % MAX_STASH];
  e->pid = pid;
  e->status = status;
  e->ru = *ru;
  e->at_ns = now_ns();
  nstash++;
}

static struct stashed *stash_find(pid_t pid) {
  int n = nstash < MAX_STASH ? nstash : MAX_STASH;
  for (int i = 0; i < n; i++)
    if (stash[i].pid == pid) return &stash[i];
  return NULL;
}

static void reap_into_stash(void) {
  int status;
  struct rusage ru;
  pid_t r;
  while ((r = wait4(-1, &status, WNOHANG, &ru)) > 0) {
    stash_put(r, status, &ru);
    forget_leader(r);
  }
}

/*
 * Waits for pid until the deadline; on timeout kills its process group (and the pid).
 * -1 when pid is not a child of this helper.
 */
static int wait_until(pid_t pid, pid_t pgid, uint64_t deadline_ns, int *status, struct rusage *ru) {
  timed_out = 0;
  arm_timer(deadline_ns);
  for (;;) {
    int st = 0;
    struct rusage r_ru;
    memset(&r_ru, 0, sizeof r_ru);
    pid_t r = wait4(-1, &st, 0, &r_ru);
    if (r == pid) {
      *status = st;
      *ru = r_ru;
      forget_leader(r);
      break;
    }
    if (r > 0) {
      stash_put(r, st, &r_ru);
      forget_leader(r);
      continue;
    }
    if (r < 0 && errno == EINTR && timed_out) {
      /* not ours (a pid file naming another process's child): the caller polls it instead */
      if (!is_child(pid)) {
        disarm_timer();
        return -1;
      }
      if (pgid > 0) kill(-pgid, SIGKILL);
      kill(pid, SIGKILL);
      timed_out = 2;
      continue;
    }
    if (r < 0 && errno != EINTR) {
      disarm_timer();
      return -1;
    }
  }
  disarm_timer();
  return timed_out == 2 ? 1 : 0;
}

struct step_result {
  char kind[16];
  char label[128];
  uint64_t start_ns, end_ns;
  int exit_code, signal, timed_out, pid;
  long maxrss_kb;
  long utime_us, stime_us;
  char value[512];
  char error[256];
};

static pid_t spawn_argv(char **argv, const char *out_path, const char *err_path, char *error) {
  posix_spawn_file_actions_t fa;
  posix_spawnattr_t attr;
  posix_spawn_file_actions_init(&fa);
  posix_spawnattr_init(&attr);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, out_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&fa, 2, err_path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  sigset_t none;
  sigemptyset(&none);
  posix_spawnattr_setsigmask(&attr, &none);
  sigset_t def;
  sigemptyset(&def);
  sigaddset(&def, SIGPIPE);
  sigaddset(&def, SIGALRM);
  posix_spawnattr_setsigdefault(&attr, &def);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP | POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  int rc = posix_spawnp(&pid, argv[0], &fa, &attr, argv, environ);
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) {
    snprintf(error, 256, "cannot execute %s: %s", argv[0], strerror(rc));
    return -1;
  }
  remember_leader(pid);
  return pid;
}

static void fill_status(struct step_result *r, int status, const struct rusage *ru) {
  if (WIFEXITED(status)) r->exit_code = WEXITSTATUS(status);
  else if (WIFSIGNALED(status)) { r->signal = WTERMSIG(status); r->exit_code = 128 + r->signal; }
  if (ru) {
    r->maxrss_kb = ru->ru_maxrss;
    r->utime_us = ru->ru_utime.tv_sec * 1000000L + ru->ru_utime.tv_usec;
    r->stime_us = ru->ru_stime.tv_sec * 1000000L + ru->ru_stime.tv_usec;
  }
}

static int parse_args(char **argv, int argc, char *storage) {
  char *p = storage;
  for (int i = 0; i < argc; i++) {
    char line[MAX_LINE];
    if (!read_line(line, sizeof line)) return -1;
    size_t len = strlen(line) + 1;
    memcpy(p, line, len);
    argv[i] = p;
    p += len;
  }
  argv[argc] = NULL;
  return 0;
}

static void emit(FILE *out, const char *id, struct step_result *res, int n, const char *error) {
  fprintf(out, "{\"id\":");
  json_str(out, id);
  fprintf(out, ",\"steps\":[");
  for (int i = 0; i < n; i++) {
    struct step_result *r = &res[i];
    if (i) fputc(',', out);
    fprintf(out, "{\"kind\":");
    json_str(out, r->kind);
    fprintf(out, ",\"label\":");
    json_str(out, r->label);
    fprintf(out,
            ",\"startNs\":%llu,\"endNs\":%llu,\"exitCode\":%d,\"signal\":%d,\"timedOut\":%s,\"pid\":%d,"
            "\"maxRssKb\":%ld,\"utimeUs\":%ld,\"stimeUs\":%ld,\"value\":",
            (unsigned long long)r->start_ns, (unsigned long long)r->end_ns, r->exit_code, r->signal,
            r->timed_out ? "true" : "false", r->pid, r->maxrss_kb, r->utime_us, r->stime_us);
    json_str(out, r->value);
    fprintf(out, ",\"error\":");
    if (r->error[0]) json_str(out, r->error);
    else fputs("null", out);
    fputc('}', out);
  }
  fprintf(out, "],\"error\":");
  if (error && *error) json_str(out, error);
  else fputs("null", out);
  fputs("}\n", out);
  fflush(out);
}

static pid_t read_pidfile(const char *path) {
  FILE *f = fopen(path, "r");
  if (!f) return -1;
  long pid = -1;
  if (fscanf(f, "%ld", &pid) != 1) pid = -1;
  fclose(f);
  return (pid_t)pid;
}

int main(void) {
  prctl(PR_SET_CHILD_SUBREAPER, 1);
  prctl(PR_SET_PDEATHSIG, SIGTERM);
  open_children_list();
  struct sigaction sa = {0};
  sa.sa_handler = on_alarm;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGALRM, &sa, NULL); /* no SA_RESTART: wait4 must return EINTR */
  signal(SIGPIPE, SIG_IGN);
  struct sigaction ta = {0};
  ta.sa_handler = on_term;
  sigfillset(&ta.sa_mask);
  sigaction(SIGTERM, &ta, NULL);
  sigaction(SIGINT, &ta, NULL);
  sigaction(SIGHUP, &ta, NULL);

  static char line[MAX_LINE];
  static char argstore[MAX_LINE * 4];
  static struct step_result res[MAX_STEPS];
  while (read_line(line, sizeof line)) {
    if (strcmp(line, "KILLALL") == 0) {
      kill_all();
      fputs("{\"id\":\"killall\",\"steps\":[],\"error\":null}\n", stdout);
      fflush(stdout);
      continue;
    }
    char id[128];
    long timeout_ms = 0;
    int nsteps = 0;
    if (sscanf(line, "SEQ %127s %ld %d", id, &timeout_ms, &nsteps) != 3 || nsteps < 0 || nsteps > MAX_STEPS) {
      emit(stdout, "?", res, 0, "malformed request");
      continue;
    }
    uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
    int done = 0;
    char seq_error[256] = "";
    /* Steps are read and run one at a time so each one starts as soon as it is known. */
    for (int i = 0; i < nsteps; i++) {
      struct step_result *r = &res[i];
      memset(r, 0, sizeof *r);
      if (!read_line(line, sizeof line)) { kill_all(); return 0; }
      char kind[16], label[128], a[200], b[200];
      int argc = 0;
      if (sscanf(line, "%15s", kind) != 1) { snprintf(seq_error, sizeof seq_error, "malformed step"); break; }
      snprintf(r->kind, sizeof r->kind, "%s", kind);
      if (strcmp(kind, "EXEC") == 0 || strcmp(kind, "SPAWN") == 0) {
        if (sscanf(line, "%*s %127s %199s %199s %d", label, a, b, &argc) != 4 || argc < 1 || argc >= MAX_ARGS) {
          snprintf(seq_error, sizeof seq_error, "malformed %s step", kind);
          break;
        }
        snprintf(r->label, sizeof r->label, "%s", label);
        char *argv[MAX_ARGS];
        if (parse_args(argv, argc, argstore) < 0) { kill_all(); return 0; }
        if (seq_error[0]) { snprintf(r->error, sizeof r->error, "not run: an earlier step failed"); done++; continue; }
        if (reserve_leader() < 0) {
          r->exit_code = 127;
          snprintf(r->error, sizeof r->error, "out of memory");
          snprintf(seq_error, sizeof seq_error, "%s", r->error);
          done++;
          continue;
        }
        r->start_ns = now_ns();
        pid_t pid = spawn_argv(argv, a, b, r->error);
        if (pid < 0) { r->end_ns = now_ns(); r->exit_code = 127; snprintf(seq_error, sizeof seq_error, "%s", r->error); done++; continue; }
        r->pid = pid;
        if (kind[0] == 'S') {
          r->end_ns = r->start_ns;
        } else {
          int status = 0;
          struct rusage ru;
          memset(&ru, 0, sizeof ru);
          int w = wait_until(pid, pid, deadline, &status, &ru);
          r->end_ns = now_ns();
          if (w < 0) snprintf(r->error, sizeof r->error, "wait failed: %s", strerror(errno));
          if (w == 1) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %ld ms", label, timeout_ms); }
          fill_status(r, status, &ru);
          /* a failed runtime command makes the steps after it meaningless */
          if (!seq_error[0] && (r->exit_code != 0))
            snprintf(seq_error, sizeof seq_error, "step %s exited with %d", label, r->exit_code);
        }
      } else if (strcmp(kind, "WAITPID") == 0 || strcmp(kind, "WAITCHILD") == 0) {
        if (sscanf(line, "%*s %127s %199s", label, a) != 2) { snprintf(seq_error, sizeof seq_error, "malformed wait step"); break; }
        snprintf(r->label, sizeof r->label, "%s", label);
        if (seq_error[0]) { snprintf(r->error, sizeof r->error, "not run: an earlier step failed"); done++; continue; }
        r->start_ns = now_ns();
        pid_t pid = kind[4] == 'P' ? read_pidfile(a) : (pid_t)atol(a);
        if (pid <= 0) {
          r->end_ns = now_ns();
          snprintf(r->error, sizeof r->error, "no pid in %s", a);
          snprintf(seq_error, sizeof seq_error, "%s", r->error);
          done++;
          continue;
        }
        r->pid = pid;
        int status = 0;
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        reap_into_stash();
        struct stashed *st = stash_find(pid);
        int w;
        if (st) {
          status = st->status;
          ru = st->ru;
          r->end_ns = st->at_ns < r->start_ns ? r->start_ns : st->at_ns;
          w = 0;
        } else {
          w = wait_until(pid, 0, deadline, &status, &ru);
          r->end_ns = now_ns();
        }
        if (w < 0) {
          /* not our child (e.g. a runtime that keeps its own parent process): fall back to polling */
          while (kill(pid, 0) == 0 && now_ns() < deadline) usleep(200);
          r->end_ns = now_ns();
          if (kill(pid, 0) == 0) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %ld ms", label, timeout_ms); }
          snprintf(r->value, sizeof r->value, "polled");
          r->exit_code = -1;
        } else {
          if (w == 1) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %ld ms", label, timeout_ms); }
          fill_status(r, status, &ru);
        }
      } else if (strcmp(kind, "READ") == 0) {
        if (sscanf(line, "%*s %127s %199s", label, a) != 2) { snprintf(seq_error, sizeof seq_error, "malformed read step"); break; }
        snprintf(r->label, sizeof r->label, "%s", label);
        r->start_ns = now_ns();
        FILE *f = fopen(a, "r");
        if (f) {
          size_t len = fread(r->value, 1, sizeof r->value - 1, f);
          r->value[len] = 0;
          if (len && r->value[len - 1] == '\n') r->value[len - 1] = 0;
          fclose(f);
        } else {
          snprintf(r->error, sizeof r->error, "%s: %s", a, strerror(errno));
        }
        r->end_ns = now_ns();
      } else if (strcmp(kind, "SLEEPMS") == 0) {
        long ms = 0;
        if (sscanf(line, "%*s %127s %ld", label, &ms) != 2) { snprintf(seq_error, sizeof seq_error, "malformed sleep step"); break; }
        snprintf(r->label, sizeof r->label, "%s", label);
        r->start_ns = now_ns();
        if (!seq_error[0]) usleep((useconds_t)(ms * 1000));
        r->end_ns = now_ns();
      } else {
        snprintf(seq_error, sizeof seq_error, "unknown step kind %s", kind);
        break;
      }
      done++;
    }
    reap_into_stash();
    nstash = 0;
    emit(stdout, id, res, done, seq_error);
  }
  kill_all();
  return 0;
}
