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
 * Protocol (stdin, one item per line, fields separated by spaces):
 *   SEQ <id> <timeout_ms> <nsteps>
 *   then nsteps steps, each one of:
 *     EXEC <label> <stdout_path> <stderr_path> <argc>   followed by argc lines ARG <argument>
 *     SPAWN <label> <stdout_path> <stderr_path> <argc>  (started, not waited; pid returned)
 *     WAITPID <label> <pidfile>                          (wait for the pid written there)
 *     WAITCHILD <label> <pid>                            (wait for a pid started by SPAWN)
 *     READ <label> <path>                                (a small file, e.g. a cgroup counter)
 *     SLEEPMS <label> <ms>
 *   END
 *   KILLALL   (kill what this helper started that still runs, and reap it)
 * Reply (stdout): one JSON object per SEQ on one line.
 * Limits: a line is at most 65535 bytes and holds no NUL; id and label 1-127 bytes,
 * paths 1-199 bytes; timeout_ms 1-2147483647, ms 0-2147483647; nsteps 0-64; argc 1-511;
 * one step's arguments 262144 bytes in all, counting one NUL after each.
 * Every SEQ gets exactly one reply, with its id. A malformed request is answered with an
 * error (and the steps it ran before the malformed line), then skipped up to its END line;
 * a SEQ or KILLALL line met on the way starts the next request. Only a line that does not
 * even start with "SEQ" is answered with the id "?".
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

#define MAX_LINE 65536               /* bytes in a line with its terminating NUL */
#define MAX_ARGS 512                 /* argc + the NULL after the arguments */
#define MAX_ARG_BYTES (MAX_LINE * 4) /* one step's arguments, each with its NUL */
#define MAX_STEPS 64
#define MAX_ID 127                   /* request ids and step labels */
#define MAX_PATH_ARG 199             /* output, pid file and READ paths */
#define MAX_MS 2147483647LL          /* timeouts and sleeps */

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

/*
 * Input. One line at a time into `line`, at most MAX_LINE - 1 bytes; a longer one, or one
 * holding a NUL, is read to its end and reported as LINE_BAD (with what is wrong in
 * line_problem, and its first MAX_LINE - 1 bytes in line). A last line without its
 * newline is an unfinished request: EOF.
 */
enum { LINE_OK, LINE_BAD, LINE_EOF };
static char line[MAX_LINE];
static size_t line_len;
static const char *line_problem;
static int line_pending; /* line holds the start of a request not handled yet */

static int read_line(void) {
  if (line_pending) {
    line_pending = 0;
    return LINE_OK;
  }
  size_t n = 0;
  int c, nul = 0, longer = 0;
  for (;;) {
    c = getc_unlocked(stdin);
    if (c == EOF) {
      if (ferror(stdin) && errno == EINTR) {
        clearerr(stdin);
        continue;
      }
      break;
    }
    if (c == '\n') break;
    if (c == 0) nul = 1;
    else if (n + 1 < sizeof line) line[n++] = (char)c;
    else longer = 1;
  }
  line[n] = 0;
  line_len = n;
  if (c == EOF) return LINE_EOF;
  if (longer) {
    line_problem = "a line longer than 65535 bytes";
    return LINE_BAD;
  }
  if (nul) {
    line_problem = "a NUL byte in a line";
    return LINE_BAD;
  }
  return LINE_OK;
}

static int is_end(const char *l) { return strcmp(l, "END") == 0; }

static int is_seq(const char *l) { return strncmp(l, "SEQ", 3) == 0 && (l[3] == ' ' || l[3] == '\t' || l[3] == 0); }

static int starts_request(const char *l) { return is_seq(l) || strcmp(l, "KILLALL") == 0; }

/*
 * Drops the rest of a request that went wrong, up to and including its END line. A SEQ or
 * KILLALL line on the way starts the next request (this one was cut short): it is kept
 * for the main loop. -1 at EOF.
 */
static int skip_request(void) {
  for (;;) {
    int lr = read_line();
    if (lr == LINE_EOF) return -1;
    if (lr == LINE_BAD) continue;
    if (is_end(line)) return 0;
    if (starts_request(line)) {
      line_pending = 1;
      return 0;
    }
  }
}

/* The same for an unexpected line still as read (not split): it may be the END itself. */
static int skip_request_from(int lr) {
  if (lr == LINE_OK && is_end(line)) return 0;
  if (lr == LINE_OK && starts_request(line)) {
    line_pending = 1;
    return 0;
  }
  return skip_request();
}

/* Splits l in place at spaces and tabs; stores at most max tokens, returns how many there are. */
static int split(char *l, char **tok, int max) {
  int n = 0;
  char *p = l;
  for (;;) {
    while (*p == ' ' || *p == '\t') p++;
    if (!*p) return n;
    if (n < max) tok[n] = p;
    n++;
    while (*p && *p != ' ' && *p != '\t') p++;
    if (*p) *p++ = 0;
  }
}

/* A whole decimal number from lo to hi, nothing else (no sign, no blanks). */
static int parse_num(const char *s, long long lo, long long hi, long long *out) {
  long long v = 0;
  if (!*s) return -1;
  for (; *s; s++) {
    if (*s < '0' || *s > '9') return -1;
    if (v > (hi - (*s - '0')) / 10) return -1;
    v = v * 10 + (*s - '0');
  }
  if (v < lo || v > hi) return -1;
  *out = v;
  return 0;
}

static int token_fits(const char *t, size_t max) { return strlen(t) <= max; }

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
  if (fscanf(f, "%ld", &pid) != 1 || pid <= 0 || pid > INT_MAX) pid = -1;
  fclose(f);
  return (pid_t)pid;
}

/*
 * Reads one EXEC or SPAWN step's argc argument lines into argv (kept in a static buffer).
 * 0 when they fit; -1 at EOF; 1 when they do not, with the reason in err and the status
 * of the offending line (still as read) in *lr.
 */
static int read_args(char **argv, int argc, int step, int *lr, char *err, size_t errlen) {
  static char store[MAX_ARG_BYTES];
  size_t used = 0;
  for (int i = 0; i < argc; i++) {
    *lr = read_line();
    if (*lr == LINE_EOF) return -1;
    if (*lr == LINE_BAD) {
      snprintf(err, errlen, "step %d, argument %d: %s", step, i + 1, line_problem);
      return 1;
    }
    if (strncmp(line, "ARG ", 4) != 0) {
      snprintf(err, errlen, "step %d: argument %d of %d is not an ARG <argument> line", step, i + 1, argc);
      return 1;
    }
    size_t len = line_len - 4 + 1;
    if (len > sizeof store - used) {
      snprintf(err, errlen, "step %d: arguments longer than %d bytes in all", step, MAX_ARG_BYTES);
      return 1;
    }
    memcpy(store + used, line + 4, len);
    argv[i] = store + used;
    used += len;
  }
  argv[argc] = NULL;
  return 0;
}

/*
 * Reads and runs one request, whose SEQ line (as read_line returned it: lr) is in line,
 * and answers it. Steps are read and run one at a time so each one starts as soon as it
 * is known. -1 at EOF.
 */
static int run_request(int lr) {
  static struct step_result res[MAX_STEPS];
  char id[MAX_ID + 1] = "?";
  char seq_error[256] = "";
  char *tok[4];
  int nt = split(line, tok, 4);
  int done = 0;
  long long timeout_ms = 0, nsteps = 0;
  if (nt >= 2 && token_fits(tok[1], MAX_ID)) snprintf(id, sizeof id, "%s", tok[1]);
  if (lr == LINE_BAD) snprintf(seq_error, sizeof seq_error, "malformed request: %s", line_problem);
  else if (nt != 4) snprintf(seq_error, sizeof seq_error, "malformed request: expected SEQ <id> <timeout_ms> <nsteps>");
  else if (!token_fits(tok[1], MAX_ID)) snprintf(seq_error, sizeof seq_error, "malformed request: id longer than %d bytes", MAX_ID);
  else if (parse_num(tok[2], 1, MAX_MS, &timeout_ms) < 0)
    snprintf(seq_error, sizeof seq_error, "malformed request: timeout '%.40s' is not a whole number of milliseconds from 1 to %lld", tok[2], MAX_MS);
  else if (parse_num(tok[3], 0, MAX_STEPS, &nsteps) < 0)
    snprintf(seq_error, sizeof seq_error, "malformed request: step count '%.40s' is not a whole number from 0 to %d", tok[3], MAX_STEPS);
  if (seq_error[0]) goto malformed;

  uint64_t deadline = now_ns() + (uint64_t)timeout_ms * 1000000ull;
  for (int i = 0; i < nsteps; i++) {
    struct step_result *r = &res[i];
    memset(r, 0, sizeof *r);
    int step = i + 1;
    lr = read_line();
    if (lr == LINE_EOF) return -1;
    if (lr == LINE_BAD) {
      snprintf(seq_error, sizeof seq_error, "step %d: %s", step, line_problem);
      goto malformed;
    }
    if (is_end(line) || starts_request(line)) {
      snprintf(seq_error, sizeof seq_error, "request ended after %d of %lld steps", i, nsteps);
      emit(stdout, id, res, done, seq_error);
      return skip_request_from(lr);
    }
    char *t[5];
    int n = split(line, t, 5);
    char kind[16], label[MAX_ID + 1], a[MAX_PATH_ARG + 1], b[MAX_PATH_ARG + 1];
    snprintf(kind, sizeof kind, "%s", n > 0 ? t[0] : "");
    if (n >= 2 && token_fits(t[1], MAX_ID)) snprintf(label, sizeof label, "%s", t[1]);
    else label[0] = 0;
    int exec = strcmp(kind, "EXEC") == 0, spawn = strcmp(kind, "SPAWN") == 0;
    int waitpid_ = strcmp(kind, "WAITPID") == 0, waitchild = strcmp(kind, "WAITCHILD") == 0;
    int read_ = strcmp(kind, "READ") == 0, sleep_ = strcmp(kind, "SLEEPMS") == 0;
    if (!(exec || spawn || waitpid_ || waitchild || read_ || sleep_)) {
      if (n == 0) snprintf(seq_error, sizeof seq_error, "step %d: empty line", step);
      else snprintf(seq_error, sizeof seq_error, "step %d: unknown step kind '%.40s'", step, t[0]);
      goto malformed;
    }
    snprintf(r->kind, sizeof r->kind, "%s", kind);
    if (n != ((exec || spawn) ? 5 : 3) || !label[0]) {
      snprintf(seq_error, sizeof seq_error, "step %d: malformed %s step: expected %s <label> %s", step, kind, kind,
               (exec || spawn) ? "<stdout_path> <stderr_path> <argc>"
               : waitpid_      ? "<pidfile>"
               : waitchild     ? "<pid>"
               : read_         ? "<path>"
                               : "<ms>");
      if (n >= 2 && !label[0]) snprintf(seq_error, sizeof seq_error, "step %d: label longer than %d bytes", step, MAX_ID);
      goto malformed;
    }
    snprintf(r->label, sizeof r->label, "%s", label);

    if (exec || spawn) {
      long long argc;
      if (!token_fits(t[2], MAX_PATH_ARG) || !token_fits(t[3], MAX_PATH_ARG)) {
        snprintf(seq_error, sizeof seq_error, "step %d: output path longer than %d bytes", step, MAX_PATH_ARG);
        goto malformed;
      }
      if (parse_num(t[4], 1, MAX_ARGS - 1, &argc) < 0) {
        snprintf(seq_error, sizeof seq_error, "step %d: argument count '%.40s' is not a whole number from 1 to %d", step, t[4], MAX_ARGS - 1);
        goto malformed;
      }
      snprintf(a, sizeof a, "%s", t[2]);
      snprintf(b, sizeof b, "%s", t[3]);
      char *argv[MAX_ARGS];
      int ra = read_args(argv, (int)argc, step, &lr, seq_error, sizeof seq_error);
      if (ra < 0) return -1;
      if (ra > 0) {
        emit(stdout, id, res, done, seq_error);
        return skip_request_from(lr);
      }
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
      if (spawn) {
        r->end_ns = r->start_ns;
      } else {
        int status = 0;
        struct rusage ru;
        memset(&ru, 0, sizeof ru);
        int w = wait_until(pid, pid, deadline, &status, &ru);
        r->end_ns = now_ns();
        if (w < 0) snprintf(r->error, sizeof r->error, "wait failed: %s", strerror(errno));
        if (w == 1) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %lld ms", label, timeout_ms); }
        fill_status(r, status, &ru);
        /* a failed runtime command makes the steps after it meaningless */
        if (!seq_error[0] && (r->exit_code != 0))
          snprintf(seq_error, sizeof seq_error, "step %s exited with %d", label, r->exit_code);
      }
    } else if (waitpid_ || waitchild) {
      long long child = 0;
      if (waitpid_ && !token_fits(t[2], MAX_PATH_ARG)) {
        snprintf(seq_error, sizeof seq_error, "step %d: pid file path longer than %d bytes", step, MAX_PATH_ARG);
        goto malformed;
      }
      if (waitchild && parse_num(t[2], 1, INT_MAX, &child) < 0) {
        snprintf(seq_error, sizeof seq_error, "step %d: pid '%.40s' is not a whole number from 1 to %d", step, t[2], INT_MAX);
        goto malformed;
      }
      snprintf(a, sizeof a, "%s", t[2]);
      if (seq_error[0]) { snprintf(r->error, sizeof r->error, "not run: an earlier step failed"); done++; continue; }
      /* waiting for someone else's process could only end at the deadline */
      if (waitchild && !is_child((pid_t)child) && !stash_find((pid_t)child)) {
        r->pid = (int)child;
        snprintf(r->error, sizeof r->error, "pid %lld is not a child of rb-exec", child);
        snprintf(seq_error, sizeof seq_error, "%s", r->error);
        done++;
        continue;
      }
      r->start_ns = now_ns();
      pid_t pid = waitpid_ ? read_pidfile(a) : (pid_t)child;
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
        if (kill(pid, 0) == 0) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %lld ms", label, timeout_ms); }
        snprintf(r->value, sizeof r->value, "polled");
        r->exit_code = -1;
      } else {
        if (w == 1) { r->timed_out = 1; snprintf(seq_error, sizeof seq_error, "step %s timed out after %lld ms", label, timeout_ms); }
        fill_status(r, status, &ru);
      }
    } else if (read_) {
      if (!token_fits(t[2], MAX_PATH_ARG)) {
        snprintf(seq_error, sizeof seq_error, "step %d: path longer than %d bytes", step, MAX_PATH_ARG);
        goto malformed;
      }
      snprintf(a, sizeof a, "%s", t[2]);
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
    } else {
      long long ms = 0;
      if (parse_num(t[2], 0, MAX_MS, &ms) < 0) {
        snprintf(seq_error, sizeof seq_error, "step %d: sleep '%.40s' is not a whole number of milliseconds from 0 to %lld", step, t[2], MAX_MS);
        goto malformed;
      }
      r->start_ns = now_ns();
      if (!seq_error[0]) {
        struct timespec ts = {(time_t)(ms / 1000), (long)(ms % 1000) * 1000000L};
        nanosleep(&ts, NULL);
      }
      r->end_ns = now_ns();
    }
    done++;
  }

  /* the line after the last step ends the request */
  lr = read_line();
  if (lr == LINE_EOF) return -1;
  if (lr != LINE_OK || !is_end(line)) {
    snprintf(seq_error, sizeof seq_error, "more steps than the %lld announced (expected END)", nsteps);
    emit(stdout, id, res, done, seq_error);
    return skip_request_from(lr);
  }
  emit(stdout, id, res, done, seq_error);
  return 0;

malformed:
  /* line was split, or is a bad one: it is neither END nor the next request */
  emit(stdout, id, res, done, seq_error);
  return skip_request();
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

  for (;;) {
    int lr = read_line();
    if (lr == LINE_EOF) break;
    if (lr == LINE_OK && strcmp(line, "KILLALL") == 0) {
      kill_all();
      fputs("{\"id\":\"killall\",\"steps\":[],\"error\":null}\n", stdout);
      fflush(stdout);
      continue;
    }
    if (is_seq(line)) {
      /* a too long SEQ line still names its request */
      if (run_request(lr) < 0) break;
      reap_into_stash();
      nstash = 0;
      continue;
    }
    char why[128];
    snprintf(why, sizeof why, "malformed request: %s", lr == LINE_BAD ? line_problem : "expected SEQ <id> <timeout_ms> <nsteps> or KILLALL");
    emit(stdout, "?", NULL, 0, why);
  }
  kill_all();
  return 0;
}
