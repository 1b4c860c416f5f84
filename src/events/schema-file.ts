/*
 * Writes the generated event JSON Schema to disk (schemas/event.schema.json), so emitters in other
 * languages can validate against the same contract; a test keeps the committed file in sync.
 */
import { writeFile } from 'node:fs/promises';
import { eventJsonSchema } from './schema.js';

/** The exact text of schemas/event.schema.json. */
export function renderEventSchema(): string {
  return `${JSON.stringify(eventJsonSchema, null, 2)}\n`;
}

export async function writeEventSchema(path: string): Promise<void> {
  await writeFile(path, renderEventSchema(), 'utf8');
}
