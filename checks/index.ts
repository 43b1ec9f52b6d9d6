/** The check registry: adding a check is one entry in its area's file; adding an area, one line here. */
import { UserError } from '../core/errors.ts';
import { CONFIG_CHECKS } from './config.ts';
import { FILESYSTEM_CHECKS } from './filesystem.ts';
import { LIFECYCLE_CHECKS } from './lifecycle.ts';
import { NAMESPACE_CHECKS } from './namespaces.ts';
import { PROCESS_CHECKS } from './process.ts';
import { RESOURCE_CHECKS } from './resources.ts';
import { SECURITY_CHECKS } from './security.ts';
import type { Check } from './types.ts';
import { WASI_CHECKS } from './wasi.ts';

export const CHECKS: readonly Check[] = [
  ...LIFECYCLE_CHECKS,
  ...CONFIG_CHECKS,
  ...PROCESS_CHECKS,
  ...SECURITY_CHECKS,
  ...FILESYSTEM_CHECKS,
  ...NAMESPACE_CHECKS,
  ...RESOURCE_CHECKS,
  ...WASI_CHECKS,
];

/** Checks named by id or by `prefix*` (e.g. `process.*`, `lifecycle*`); all when none given. */
export function selectChecks(patterns: readonly string[] | undefined, checks: readonly Check[] = CHECKS): Check[] {
  if (!patterns || patterns.length === 0) return [...checks];
  const chosen = new Set<Check>();
  for (const p of patterns) {
    const matches = p.endsWith('*') ? checks.filter((c) => c.id.startsWith(p.slice(0, -1))) : checks.filter((c) => c.id === p);
    if (matches.length === 0) {
      throw new UserError(`no check matches '${p}': checks are ${checks.map((c) => c.id).join(', ')} (a trailing * matches a prefix)`);
    }
    for (const m of matches) chosen.add(m);
  }
  return checks.filter((c) => chosen.has(c));
}
