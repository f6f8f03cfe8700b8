/**
 * Writes the routing config's JSON Schema (generated from the zod schema with z.toJSONSchema)
 * to resources/routing/routing-config.schema.json. Run: npx tsx scripts/export-routing-schema.ts
 * (test/main/routing/json-schema.test.ts fails when the committed file is out of date).
 */
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { routingConfigJsonSchema } from '../src/shared/routing/routing-config-schema';

export const ROUTING_SCHEMA_FILE = join(
  dirname(fileURLToPath(import.meta.url)),
  '..',
  'resources',
  'routing',
  'routing-config.schema.json',
);

export function routingSchemaText(): string {
  return `${JSON.stringify(routingConfigJsonSchema(), null, 2)}\n`;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  writeFileSync(ROUTING_SCHEMA_FILE, routingSchemaText());
  process.stdout.write(`Wrote ${ROUTING_SCHEMA_FILE}\n`);
}
