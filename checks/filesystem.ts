/**
 * The filesystem the container sees: a read-only root, masked and read-only paths,
 * a bind mount of a host directory and a tmpfs, observed from inside by the probe.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DEFAULT_MASKED_PATHS, DEFAULT_READONLY_PATHS } from '../core/oci-spec.ts';
import { probeCheck } from './define.ts';
import { mismatch, type PathCheck } from './probe.ts';
import { errored, failed, passed, skipped, type Check } from './types.ts';

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

const maskedPaths = probeCheck({
  id: 'filesystem.masked-paths',
  area: 'filesystem',
  title: 'linux.maskedPaths cannot be read',
  specRef: `${REF} config-linux.md#masked-paths`,
  level: 'MUST',
  setup: () => ({ args: checkPathArgs(DEFAULT_MASKED_PATHS), overrides: { maskedPaths: DEFAULT_MASKED_PATHS } }),
  judge(report, run) {
    const asked = run.requested.linux?.maskedPaths ?? [];
    if (asked.length === 0) return skipped('the config lists no maskedPaths');
    const byPath = new Map(report.paths.map((p) => [p.path, p]));
    // A masked file is /dev/null bound over it: the probe's own read says how many bytes came back.
    const read = new Map((report.masked ?? []).map((m) => [m.path, m]));
    const exposed: string[] = [];
    let verified = 0;
    for (const path of asked) {
      const p = byPath.get(path);
      const r = read.get(path);
      let m = p ? isMasked(p) : null;
      if (p?.exists && p.type === 'char' && r?.exists) m = !r.readable || r.bytes === 0;
      if (m === null) continue;
      verified++;
      if (!m) exposed.push(`${path} is readable (${p?.type === 'dir' ? `${p.entries} entries` : `${p?.contentSize ?? r?.bytes} bytes`})`);
    }
    if (exposed.length) return mismatch('masked paths are readable', exposed);
    if (verified === 0) return skipped('none of the maskedPaths exist in this container, so masking cannot be told apart');
    return passed(`${verified} of ${asked.length} masked paths exist and read empty`);
  },
});

/** A file under a read-only directory that root could otherwise open for writing (mode 0644, root-owned). */
const WRITE_PROBES: Record<string, string> = { '/proc/sys': '/proc/sys/kernel/hostname' };

const readonlyPaths = probeCheck({
  id: 'filesystem.readonly-paths',
  area: 'filesystem',
  title: 'linux.readonlyPaths are mounted read-only',
  specRef: `${REF} config-linux.md#readonly-paths`,
  level: 'MUST',
  setup: () => ({
    args: [...checkPathArgs([...DEFAULT_READONLY_PATHS, ...Object.values(WRITE_PROBES)]), ...DEFAULT_READONLY_PATHS.flatMap((p) => ['--check-mount', p])],
    overrides: { readonlyPaths: DEFAULT_READONLY_PATHS },
  }),
  judge(report, run) {
    const paths = new Map(report.paths.map((p) => [p.path, p]));
    const mounts = new Map((report.mountinfo?.mounts ?? []).map((m) => [m.path, m]));
    const writable: string[] = [];
    let verified = 0;
    for (const path of run.requested.linux?.readonlyPaths ?? []) {
      const p = paths.get(path);
      if (!p?.exists) continue;
      verified++;
      const m = mounts.get(path);
      if (m?.found && (m.options ?? '').split(',').includes('ro')) continue;
      // Not a read-only mount: still read-only if a file root may open for writing cannot be.
      const file = p.type === 'dir' ? WRITE_PROBES[path] : path;
      const w = file ? paths.get(file) : undefined;
      if (w?.exists && !w.writable) continue;
      if (w?.exists) writable.push(`${file} opens for writing (${m?.found ? `mounted ${m.options}` : 'no read-only mount'})`);
      else writable.push(`${path} is ${m?.found ? `mounted ${m.options}` : 'not a read-only mount point'}`);
    }
    if (report.mountinfo === null) return skipped('/proc/self/mountinfo is not readable in this container');
    if (writable.length) return mismatch('read-only paths are writable', writable);
    if (verified === 0) return skipped('none of the readonlyPaths exist in this container');
    return passed(`${verified} read-only paths mounted ro`);
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

export const FILESYSTEM_CHECKS: readonly Check[] = [readonlyRoot, maskedPaths, readonlyPaths, bindMount, tmpfsMount, devices];
