/*
 * Where setting values come from: the optional config file (a flat YAML or JSON mapping of setting
 * names to scalars), overridden by the environment. Unknown names in the file stop start-up; unknown
 * GUARDRAIL_* names in the environment are reported as warnings (other tools share the environment).
 */
import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { ConfigInvalidError } from '../errors/index.js';
import { SETTING_NAMES } from './settings.js';

export interface RawValue {
  value: string;
  /** `the environment` or `config file <path>`: named in error messages. */
  from: string;
}

export interface RawSettings {
  values: ReadonlyMap<string, RawValue>;
  warnings: string[];
}

/** Edit distance, for "did you mean" on misspelt setting names. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length]!;
}

export function didYouMean(name: string): string {
  let best: string | undefined;
  let bestDistance = 4;
  for (const candidate of SETTING_NAMES) {
    const d = distance(name.toUpperCase(), candidate);
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return best ? ` (did you mean ${best}?)` : '';
}

function readConfigFile(path: string): Map<string, RawValue> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new ConfigInvalidError(`GUARDRAIL_CONFIG: cannot read config file ${path}: ${why}`);
  }
  let doc: unknown;
  try {
    doc = parseYaml(text);
  } catch (err) {
    throw new ConfigInvalidError(`config file ${path} is not valid YAML or JSON: ${(err as Error).message.split('\n')[0]}`);
  }
  if (doc === null || doc === undefined) return new Map();
  if (typeof doc !== 'object' || Array.isArray(doc)) {
    throw new ConfigInvalidError(`config file ${path} must be a mapping of setting names to values, like KAFKA_BROKERS: kafka:9092`);
  }
  const from = `config file ${path}`;
  const out = new Map<string, RawValue>();
  for (const [name, value] of Object.entries(doc as Record<string, unknown>)) {
    if (!SETTING_NAMES.has(name) || name === 'GUARDRAIL_CONFIG') {
      throw new ConfigInvalidError(`${from}: unknown setting ${name}${didYouMean(name)}; the settings are listed in docs/processor.md`);
    }
    if (value === null || value === undefined) continue;
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw new ConfigInvalidError(`${name} in ${from} must be a single value (a string, number or boolean)`);
    }
    out.set(name, { value: String(value), from });
  }
  return out;
}

/** Reads the config file (if any) and overlays the environment. Empty environment values count as unset. */
export function readSettings(env: NodeJS.ProcessEnv, configFile?: string): RawSettings {
  const file = configFile ?? (env.GUARDRAIL_CONFIG || undefined);
  const values = file === undefined ? new Map<string, RawValue>() : readConfigFile(file);
  const warnings: string[] = [];
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value === '') continue;
    if (SETTING_NAMES.has(name)) {
      if (name !== 'GUARDRAIL_CONFIG') values.set(name, { value, from: 'the environment' });
    } else if (name.startsWith('GUARDRAIL_')) {
      warnings.push(`ignoring unknown setting ${name} in the environment${didYouMean(name)}`);
    }
  }
  return { values, warnings };
}
