/** Rendering of `runbench doctor`. */
import type { DoctorReport } from '../core/doctor.ts';
import { describeEngine } from '../core/engines.ts';
import { pad } from '../core/format.ts';

export function renderDoctor(r: DoctorReport): string {
  const h = r.host;
  const gib = (h.memoryBytes / 1024 ** 3).toFixed(1);
  const lines = [
    'host',
    `  ${h.hostname}: ${h.os}, kernel ${h.kernel}, ${h.arch}, ${h.cpuModel}, ${h.cores} cores, ${gib} GiB`,
    `  cgroups ${h.cgroupLayout}${h.cgroup2Controllers.length ? ` (cgroup2 controllers: ${h.cgroup2Controllers.join(' ')})` : ''}, ${h.root ? 'root' : 'not root'}, AppArmor ${h.apparmor ? 'on' : 'off'}, node ${h.nodeVersion}`,
    `  emulated archs (qemu-user through binfmt_misc): ${(h.emulatedArchs ?? []).join(', ') || 'none'}`,
    '',
    'runtimes',
  ];
  for (const rt of r.runtimes) {
    const wasm = rt.wasmHandlers.length ? ` wasm: ${rt.wasmHandlers.join(',')}` : '';
    lines.push(`  ${pad(rt.name, 26)} ${pad(rt.status, 8)} ${pad(rt.version ?? '-', 22)} ${rt.path ?? ''}${wasm}`);
    if (rt.engine) lines.push(`  ${pad('', 26)} Wasm engine: ${describeEngine(rt.engine)}`);
    if (rt.features.length) lines.push(`  ${pad('', 26)} features: ${rt.features.join(' ')}`);
    if (rt.reason) lines.push(`  ${pad('', 26)} ${rt.reason}`);
  }
  lines.push('');
  if (r.problems.length === 0) lines.push('no known problems');
  else {
    lines.push('known problems');
    for (const p of r.problems) {
      lines.push(`  [${p.severity}] ${p.message}`);
      lines.push(`    fix: ${p.fix}`);
    }
  }
  return `${lines.join('\n')}\n`;
}
