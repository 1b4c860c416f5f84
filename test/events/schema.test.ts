import { readFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { eventJsonSchema, renderEventSchema } from '../../src/events/index.js';

const committed = fileURLToPath(new URL('../../schemas/event.schema.json', import.meta.url));

describe('event JSON Schema', () => {
  it('the committed schemas/event.schema.json is the generated one', async () => {
    // After changing src/events/schema.ts: npm run build, then
    // node -e "import('./dist/events/index.js').then((m) => m.writeEventSchema('schemas/event.schema.json'))"
    expect(await readFile(committed, 'utf8')).toBe(renderEventSchema());
  });

  it('is draft-07 and describes every field of the contract', () => {
    expect(eventJsonSchema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const paths: string[] = [];
    const walk = (schema: Record<string, unknown>, prefix: string) => {
      const props = (schema.properties ?? {}) as Record<string, Record<string, unknown>>;
      for (const [name, sub] of Object.entries(props)) {
        paths.push(`${prefix}${name}`);
        expect(typeof sub.description, `${prefix}${name}`).toBe('string');
        walk(sub, `${prefix}${name}.`);
      }
    };
    walk(eventJsonSchema, '');
    expect(paths.sort()).toEqual(
      [
        'id', 'time', 'agent', 'agent.id', 'agent.name', 'agent.owner', 'token', 'token.id', 'token.issuer', 'token.scopes',
        'principal', 'principal.id', 'principal.tenant', 'principal.timezone', 'session', 'session.id', 'action',
        'resource', 'resource.type', 'resource.id', 'resource.sensitivity', 'volume', 'volume.bytes', 'volume.records',
        'source', 'source.ip', 'source.country', 'source.lat', 'source.lon', 'source.network', 'source.device',
        'source.device.id', 'source.device.managed', 'outcome', 'labels',
      ].sort(),
    );
    expect(eventJsonSchema.required).toEqual(['id', 'time', 'agent', 'token', 'action', 'resource']);
  });

  it('never forbids unknown fields', () => {
    expect(renderEventSchema()).not.toContain('"additionalProperties": false');
  });
});
