/*
 * Data sizes as rule files write them, turned into bytes: `500KB 10MB 2GB` are powers of 10,
 * `KiB MiB GiB TiB` powers of 2 (what `ls -h` prints), a bare `B` or a plain integer is bytes.
 */

const UNIT_BYTES: Record<string, number> = {
  B: 1,
  KB: 1e3,
  kB: 1e3,
  MB: 1e6,
  GB: 1e9,
  TB: 1e12,
  KiB: 2 ** 10,
  MiB: 2 ** 20,
  GiB: 2 ** 30,
  TiB: 2 ** 40,
};

const SIZE = /^([0-9]+(?:\.[0-9]+)?) ?(B|KB|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$/;

/** JSON Schema pattern for the string form; integers are accepted as bytes by the schema's type. */
export const SIZE_PATTERN = '^[0-9]+(\\.[0-9]+)? ?(B|KB|kB|MB|GB|TB|KiB|MiB|GiB|TiB)$';

export const SIZE_HINT = 'use 500KB, 10MB, 2GB or 512MiB';

/** Bytes, or undefined when `value` is not a size. Fractions round to whole bytes (`1.5GB`). */
export function tryParseSize(value: string | number): number | undefined {
  if (typeof value === 'number') return Number.isSafeInteger(value) && value >= 0 ? value : undefined;
  const m = SIZE.exec(value.trim());
  if (!m) return undefined;
  const bytes = Math.round(Number(m[1]) * UNIT_BYTES[m[2]!]!);
  return Number.isSafeInteger(bytes) ? bytes : undefined;
}

/** Bytes; throws a RangeError whose message is a sentence fit for a user. */
export function parseSize(value: string | number): number {
  const bytes = tryParseSize(value);
  if (bytes === undefined) throw new RangeError(`${JSON.stringify(value)} is not a size (${SIZE_HINT})`);
  return bytes;
}
