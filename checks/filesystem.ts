/**
 * The filesystem the container sees: a read-only root, masked and read-only paths,
 * a bind mount of a host directory and a tmpfs, observed from inside by the probe.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS, type OciMount } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { firstLine, mismatch, type PathCheck } from './probe.ts';
import { errored, failed, passed, skipped, type Check, type CheckContext } from './types.ts';

const REF = 'runtime-spec';

const readonlyRoot = probeCheck({
  id: 'filesystem.readonly-root',
  area: 'filesystem',
  title: 'root.readonly makes the root filesystem read-only',
  specRef: `${REF} config.md#root (readonly)`,
  level: 'MUST',
  setup: () => ({ args: [], overrides: { readonlyRoot: true } }),
  judge(report) {
    if (report.rootReadOnly === true) return passed();
    if (report.rootWriteErrno === null) return failed('a file could be created in / although root.readonly is true');
    return failed(`writing / failed with ${report.rootWriteErrno}, not EROFS`);
  },
});

/** Masked: unreadable, or read as empty (a /dev/null or an empty read-only tmpfs over it). */
function isMasked(p: PathCheck): boolean | null {
  if (!p.exists) return null;
  if (!p.readable) return true;
  if (p.type === 'dir') return p.entries === 0;
  return p.contentSize === 0;
}

const checkPathArgs = (paths: readonly string[]) => paths.flatMap((p) => ['--check-path', p]);

/**
 * Files and directories a check plants in a host directory bind-mounted at /data, so what
 * it masks or write-protects is there whatever the runtime's /proc and /sys show. The
 * control is left alone: when it is not seen as planted, nothing can be told apart.
 */
const PLANTED = {
  mount: '/data',
  control: '/data/control',
  maskedFile: '/data/masked-file',
  maskedDir: '/data/masked-dir',
  readonlyFile: '/data/readonly-file',
  readonlyDir: '/data/readonly-dir',
} as const;
const PLANTED_TEXT = 'runbench planted this file\n';

/** Plants the files in a fresh scratch directory and returns its bind mount at /data. */
function plant(ctx: CheckContext): OciMount {
  const dir = ctx.target.scratchDir('planted');
  const host = (p: string) => join(dir, p.slice(PLANTED.mount.length + 1));
  for (const f of [PLANTED.control, PLANTED.maskedFile, PLANTED.readonlyFile]) writeFileSync(host(f), PLANTED_TEXT);
  for (const d of [PLANTED.maskedDir, PLANTED.readonlyDir]) {
    mkdirSync(host(d));
    writeFileSync(join(host(d), 'inside'), PLANTED_TEXT);
  }
  return { destination: PLANTED.mount, type: 'bind', source: dir, options: ['rbind', 'rw'] };
}

/** Why the planted control cannot serve (not there as planted, or not writable when that is needed), or null. */
function controlUnseen(byPath: Map<string, PathCheck>, needWritable: boolean): string | null {
  const c = byPath.get(PLANTED.control);
  if (!c?.exists) return `the planted ${PLANTED.control} is not in the container (${c?.errno ?? 'not checked'})`;
  if (!c.readable || c.contentSize !== PLANTED_TEXT.length)
    return `the planted ${PLANTED.control} does not read as planted (${c.contentSize ?? c.errno ?? '?'} bytes)`;
  if (needWritable && !c.writable) return `the planted ${PLANTED.control} is not writable either (${c.errno ?? '?'}), so read-only cannot be told apart`;
  return null;
}

/** What a pod cannot ask for: its own lists of masked and read-only paths (the CRI's are runbench's defaults). */
const plants = (ctx: CheckContext) => ctx.target.layer !== 'kubernetes';

const maskedPaths = probeCheck({
  id: 'filesystem.masked-paths',
  area: 'filesystem',
  title: 'linux.maskedPaths cannot be read: a planted file and directory, and the defaults that exist',
  specRef: `${REF} config-linux.md#masked-paths`,
  level: 'MUST',
  setup(ctx) {
    if (!plants(ctx)) return { args: checkPathArgs(DEFAULT_MASKED_PATHS), overrides: { maskedPaths: DEFAULT_MASKED_PATHS } };
    return {
      args: checkPathArgs([PLANTED.control, PLANTED.maskedFile, PLANTED.maskedDir, ...DEFAULT_MASKED_PATHS]),
      overrides: { extraMounts: [plant(ctx)], maskedPaths: [PLANTED.maskedFile, PLANTED.maskedDir, ...DEFAULT_MASKED_PATHS] },
    };
  },
  judge(report, run) {
    const asked = run.requested.linux?.maskedPaths ?? [];
    if (asked.length === 0) return skipped('the config lists no maskedPaths');
    const byPath = new Map(report.paths.map((p) => [p.path, p]));
    const planted = asked.filter((p) => p.startsWith(`${PLANTED.mount}/`));
    if (planted.length) {
      const unseen = controlUnseen(byPath, false);
      if (unseen) return skipped(unseen);
    }
    // A masked file is /dev/null bound over it: the probe's own read says how many bytes came back.
    const read = new Map((report.masked ?? []).map((m) => [m.path, m]));
    const exposed: string[] = [];
    const verified: string[] = [];
    for (const path of asked) {
      const p = byPath.get(path);
      const r = read.get(path);
      let m = p ? isMasked(p) : null;
      // a planted path that is gone cannot be read either
      if (p && !p.exists && planted.includes(path)) m = true;
      // a planted regular file that is now something else has something bound over it
      if (p?.exists && planted.includes(path) && p.type !== 'file' && p.type !== 'dir') m = !p.readable || (p.major === 1 && p.minor === 3);
      if (p?.exists && p.type === 'char' && r?.exists) m = !r.readable || r.bytes === 0;
      if (m === null) continue;
      verified.push(path);
      if (!m) exposed.push(`${path} is readable (${p?.type === 'dir' ? `${p.entries} entries` : `${p?.contentSize ?? r?.bytes} bytes`})`);
    }
    if (exposed.length) return mismatch('masked paths are readable', exposed);
    if (verified.length === 0) return skipped('none of the maskedPaths exist in this container, so masking cannot be told apart');
    return passed(`${verified.length} of ${asked.length} masked paths exist and read empty${planted.length ? `, ${planted.length} of them planted` : ''}`);
  },
});

/** A file under a read-only directory that root could otherwise open for writing (mode 0644, root-owned). */
const WRITE_PROBES: Record<string, string> = { '/proc/sys': '/proc/sys/kernel/hostname' };

const readonlyPaths = probeCheck({
  id: 'filesystem.readonly-paths',
  area: 'filesystem',
  title: 'linux.readonlyPaths cannot be written: a planted file and directory, and the defaults that exist',
  specRef: `${REF} config-linux.md#readonly-paths`,
  level: 'MUST',
  setup(ctx) {
    const defaults = [
      ...checkPathArgs([...DEFAULT_READONLY_PATHS, ...Object.values(WRITE_PROBES)]),
      ...DEFAULT_READONLY_PATHS.flatMap((p) => ['--check-mount', p]),
    ];
    if (!plants(ctx)) return { args: defaults, overrides: { readonlyPaths: DEFAULT_READONLY_PATHS } };
    return {
      args: [...checkPathArgs([PLANTED.control, PLANTED.readonlyFile, PLANTED.readonlyDir]), ...defaults],
      overrides: { extraMounts: [plant(ctx)], readonlyPaths: [PLANTED.readonlyFile, PLANTED.readonlyDir, ...DEFAULT_READONLY_PATHS] },
    };
  },
  judge(report, run) {
    const asked = run.requested.linux?.readonlyPaths ?? [];
    if (asked.length === 0) return skipped('the config lists no readonlyPaths');
    const paths = new Map(report.paths.map((p) => [p.path, p]));
    const planted = asked.filter((p) => p.startsWith(`${PLANTED.mount}/`));
    if (planted.length) {
      const unseen = controlUnseen(paths, true);
      if (unseen) return skipped(unseen);
    }
    const mounts = new Map((report.mountinfo?.mounts ?? []).map((m) => [m.path, m]));
    const writable: string[] = [];
    let verified = 0;
    for (const path of asked) {
      const p = paths.get(path);
      if (planted.includes(path)) {
        // judged by effect: root opens the file, or creates in the directory, only on a writable mount
        if (!p?.exists) {
          writable.push(`the planted ${path} is gone (${p?.errno ?? 'not checked'})`);
          continue;
        }
        verified++;
        if (p.writable) writable.push(`${path} is writable`);
        continue;
      }
      if (!p?.exists) continue;
      const m = mounts.get(path);
      // Not a read-only mount: still read-only if a file root may open for writing cannot be.
      const file = p.type === 'dir' ? WRITE_PROBES[path] : path;
      const w = file ? paths.get(file) : undefined;
      // without mountinfo, only a write attempt tells
      if (report.mountinfo === null && !w?.exists) continue;
      verified++;
      if (m?.found && (m.options ?? '').split(',').includes('ro')) continue;
      if (w?.exists && !w.writable) continue;
      if (w?.exists) writable.push(`${file} opens for writing (${m?.found ? `mounted ${m.options}` : 'no read-only mount'})`);
      else writable.push(`${path} is ${m?.found ? `mounted ${m.options}` : 'not a read-only mount point'}`);
    }
    if (writable.length) return mismatch('read-only paths are writable', writable);
    if (verified === 0) {
      return skipped(
        report.mountinfo === null ? '/proc/self/mountinfo is not readable in this container' : 'none of the readonlyPaths exist in this container',
      );
    }
    return passed(`${verified} of ${asked.length} read-only paths exist and cannot be written${planted.length ? `, ${planted.length} of them planted` : ''}`);
  },
});

const MARKER = 'runbench-bind-marker\n';

const bindMount = probeCheck({
  id: 'filesystem.bind-mount',
  area: 'filesystem',
  title: 'a bind mount shows the host directory, readable and writable',
  specRef: `${REF} config.md#mounts`,
  level: 'MUST',
  setup(ctx) {
    const dir = ctx.target.scratchDir('bind');
    writeFileSync(join(dir, 'marker'), MARKER);
    return {
      args: ['--check-path', '/data/marker', '--io-dir', '/data'],
      overrides: { extraMounts: [{ destination: '/data', type: 'bind', source: dir, options: ['rbind', 'rw'] }] },
    };
  },
  judge(report) {
    const marker = report.paths.find((p) => p.path === '/data/marker');
    const problems: string[] = [];
    if (!marker?.exists) problems.push(`the host's file is not at /data/marker (${marker?.errno ?? 'not checked'})`);
    else if (marker.contentSize !== MARKER.length) problems.push(`/data/marker has ${marker.contentSize} bytes, the host's has ${MARKER.length}`);
    if (!report.io?.ok) problems.push(`writing /data failed at ${report.io?.stage ?? '?'} (${report.io?.errno ?? '?'})`);
    return problems.length ? failed(problems.join('; ')) : passed();
  },
});

const tmpfsMount = probeCheck({
  id: 'filesystem.tmpfs-mount',
  area: 'filesystem',
  title: 'a tmpfs mount is a writable tmpfs',
  specRef: `${REF} config.md#mounts`,
  level: 'MUST',
  setup: () => ({
    args: ['--check-mount', '/run', '--io-dir', '/run'],
    overrides: { extraMounts: [{ destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'mode=755', 'size=1m'] }] },
  }),
  judge(report) {
    const m = report.mountinfo?.mounts.find((x) => x.path === '/run');
    const problems: string[] = [];
    if (!m?.found) problems.push('/run is not a mount point');
    else if (m.fstype !== 'tmpfs') problems.push(`/run is ${m.fstype}, not tmpfs`);
    if (!report.io?.ok) problems.push(`writing /run failed at ${report.io?.stage ?? '?'} (${report.io?.errno ?? '?'})`);
    return problems.length ? failed(problems.join('; ')) : passed();
  },
});

/** A second null device under a name of its own: the default device cgroup rules allow 1:3. */
const DEVICE = { path: '/dev/rb-null', type: 'c', major: 1, minor: 3, fileMode: 0o666, uid: 0, gid: 0 } as const;

const devices = probeCheck({
  id: 'filesystem.devices',
  area: 'filesystem',
  title: 'linux.devices are created in /dev with their type and numbers',
  specRef: `${REF} config-linux.md#devices`,
  level: 'MUST',
  layers: ['oci', 'containerd'],
  setup: () => ({ args: ['--check-path', DEVICE.path], overrides: { devices: [{ ...DEVICE }] } }),
  judge(report) {
    const d = report.paths.find((p) => p.path === DEVICE.path);
    if (!d?.exists) return failed(`${DEVICE.path} does not exist (${d?.errno ?? 'not checked'})`);
    if (d.type !== 'char') return failed(`${DEVICE.path} is a ${d.type ?? '?'}, not a character device`);
    if (d.major === undefined) return errored('the probe does not report device numbers: rebuild it with scripts/build-fixtures.sh');
    if (d.major !== DEVICE.major || d.minor !== DEVICE.minor) return failed(`${DEVICE.path} is ${d.major}:${d.minor}, asked ${DEVICE.major}:${DEVICE.minor}`);
    if (!d.readable || !d.writable) return failed(`${DEVICE.path} is not ${d.readable ? 'writable' : 'readable'} (${d.errno ?? '?'})`);
    return passed();
  },
});

/**
 * What mountinfo shows of the root mount under each rootfsPropagation asked. A slave mount
 * shows `master:N` only while its master is shared; runc and crun make the rootfs's parent
 * mount private before pivot_root (even a rootfs on a shared host mount shows nothing), so
 * an applied slave usually reads as private, which cannot be told from private or from the
 * value ignored: what is judged of it is that / is neither shared nor unbindable.
 */
const PROPAGATIONS: readonly { asked: string; judge: (p: string) => { ok: boolean; seen?: string; want?: string } }[] = [
  { asked: 'shared', judge: (p) => ({ ok: /(^| )shared:\d+/.test(p), want: 'a shared:N peer group' }) },
  {
    asked: 'slave',
    judge: (p) =>
      /(^| )master:\d+/.test(p)
        ? { ok: !/(^| )(shared:\d+|unbindable)( |$)/.test(p), want: 'a slave (master:N), not shared or unbindable' }
        : /(^| )(shared:\d+|unbindable)( |$)/.test(p)
          ? { ok: false, want: 'a slave (master:N) or, with no shared master, private' }
          : { ok: true, seen: 'private (no shared master: cannot be told from private)' },
  },
  { asked: 'unbindable', judge: (p) => ({ ok: /(^| )unbindable( |$)/.test(p), want: 'unbindable' }) },
];

const rootfsPropagation: Check = {
  id: 'filesystem.rootfs-propagation',
  area: 'filesystem',
  title: 'rootfsPropagation shared, slave and unbindable, when accepted, are what / shows in mountinfo',
  // a runtime MAY support a subset of the valid values, and MUST refuse the others (config.md#valid-values)
  specRef: `${REF} config-linux.md#rootfs-mount-propagation, config.md#valid-values`,
  level: 'MUST',
  kinds: ['native'],
  layers: ['oci', 'containerd'],
  async run(ctx) {
    const problems: string[] = [];
    const seen: string[] = [];
    for (const p of PROPAGATIONS) {
      const run = await ctx.target.probe({ kind: 'native', args: ['--check-mount', '/'], overrides: { rootfsPropagation: p.asked } });
      if (!run.report) {
        if (run.timedOut) return errored('the probe did not finish in time');
        seen.push(`${p.asked} refused (exit ${run.exitCode}: ${firstLine(run.stderr).slice(0, 120) || (run.reportError ?? '')})`);
        continue;
      }
      const root = run.report.mountinfo?.mounts.find((m) => m.path === '/');
      if (!root?.found) return skipped('/ is not in /proc/self/mountinfo here');
      if (root.propagation === undefined) return errored('the probe does not report mount propagation: rebuild it with scripts/build-fixtures.sh');
      const shown = root.propagation || 'private';
      const v = p.judge(root.propagation ?? '');
      if (v.ok) seen.push(`${p.asked}: ${v.seen ?? shown}`);
      else problems.push(`${p.asked} accepted, but / is ${shown}, not ${v.want}`);
    }
    return problems.length ? failed([...problems, ...seen].join('; ')) : passed(seen.join('; '));
  },
};

export const FILESYSTEM_CHECKS: readonly Check[] = [readonlyRoot, maskedPaths, readonlyPaths, bindMount, tmpfsMount, devices, rootfsPropagation];
