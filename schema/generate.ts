/** Writes schema/runbench.config.schema.json from the zod schema in core/config/schema.ts (npm run schema). */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { configJsonSchema } from '../core/config/index.ts';
import { packageRoot } from '../core/paths.ts';

export const CONFIG_SCHEMA_FILE = join(packageRoot, 'schema', 'runbench.config.schema.json');

export function configSchemaText(): string {
  return `${JSON.stringify(configJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && import.meta.url.endsWith(process.argv[1].split('/').pop() ?? '\0')) {
  writeFileSync(CONFIG_SCHEMA_FILE, configSchemaText());
  process.stderr.write(`wrote ${CONFIG_SCHEMA_FILE}\n`);
}
