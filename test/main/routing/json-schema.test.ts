import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { ROUTING_SCHEMA_FILE, routingSchemaText } from '../../../scripts/export-routing-schema';
import { EXAMPLE_PATH } from './fixtures';

describe('routing-config.schema.json', () => {
  it('equals the schema generated from zod (run npx tsx scripts/export-routing-schema.ts)', () => {
    expect(readFileSync(ROUTING_SCHEMA_FILE, 'utf8')).toBe(routingSchemaText());
  });

  it('documents every property and names the defaults', () => {
    const schema = JSON.parse(routingSchemaText()) as Record<string, unknown>;
    const undocumented: string[] = [];
    const walk = (node: unknown, path: string): void => {
      if (typeof node !== 'object' || node === null) return;
      const record = node as Record<string, unknown>;
      const properties = record.properties as Record<string, Record<string, unknown>> | undefined;
      for (const [name, child] of Object.entries(properties ?? {})) {
        if (typeof child.description !== 'string') undocumented.push(`${path}.${name}`);
        walk(child, `${path}.${name}`);
      }
      for (const key of ['additionalProperties', 'items']) walk(record[key], path);
      for (const key of ['anyOf', 'oneOf']) {
        (record[key] as unknown[] | undefined)?.forEach((child) => walk(child, path));
      }
    };
    walk(schema, '$');
    expect(undocumented).toEqual([]);
    expect(JSON.stringify(schema)).toContain('"default":300');
  });

  it('is referenced by the example config', () => {
    const example = JSON.parse(readFileSync(EXAMPLE_PATH, 'utf8')) as { $schema: string };
    expect(example.$schema).toBe('./routing-config.schema.json');
  });
});
