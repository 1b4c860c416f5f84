/*
 * Finds the Lua scripts and defines them on an ioredis client, one command per op type, so they
 * are sent in full once per connection and by SHA (EVALSHA) after that.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';
import type { StoreOp } from '../types.js';

export interface ScriptDef {
  /** ioredis command name; prefixed so it cannot clash with a Redis command. */
  readonly command: string;
  readonly file: string;
  readonly keys: number;
}

export const SCRIPTS: { readonly [T in StoreOp['type']]: ScriptDef } = {
  window: { command: 'guardrailWindow', file: 'window-5.lua', keys: 5 },
  profile: { command: 'guardrailProfile', file: 'profile-4.lua', keys: 4 },
  seen: { command: 'guardrailSeen', file: 'seen-4.lua', keys: 4 },
  travel: { command: 'guardrailTravel', file: 'travel-3.lua', keys: 3 },
  signal: { command: 'guardrailSignal', file: 'signal-4.lua', keys: 4 },
  cooldown: { command: 'guardrailCooldown', file: 'cooldown-3.lua', keys: 3 },
};

/** Stream-level dedup (markSeen): any number of keys, so callers pass the key count first. */
export const MARK_SEEN_SCRIPT = { command: 'guardrailMarkSeen', file: 'mark-seen-n.lua' } as const;

/** The cached store's compare-and-set of one state value (one key). */
export const CAS_SCRIPT = { command: 'guardrailCas', file: 'cas-1.lua', keys: 1 } as const;

/** The same for several states of one hash tag in one call (any number of keys: callers pass the count first). */
export const CAS_MANY_SCRIPT = { command: 'guardrailCasMany', file: 'cas-n.lua' } as const;

/** The redelivery ledger of `guardrail run` (src/kafka/ledger.ts): any number of keys of one hash tag. */
export const LEDGER_SCRIPTS = {
  check: { command: 'guardrailLedgerCheck', file: 'ledger-check-n.lua' },
  record: { command: 'guardrailLedgerRecord', file: 'ledger-record-n.lua' },
} as const;

/** Defines the ledger's scripts on a client (the processor's shared one, or a test's). */
export function defineLedgerScripts(client: Redis, dir: string = findLuaDir()): void {
  for (const def of Object.values(LEDGER_SCRIPTS)) client.defineCommand(def.command, { lua: readFileSync(join(dir, def.file), 'utf8') });
}

const PRELUDE = 'shared.lua';

export type ScriptSources = { readonly [T in StoreOp['type'] | 'markSeen' | 'cas' | 'casMany']: string };

/**
 * The lua/ folder next to this module when run from src; from dist (tsc copies no .lua files) the
 * package root's src/state/redis/lua, found by walking up to package.json.
 */
export function findLuaDir(fromDir: string = dirname(fileURLToPath(import.meta.url))): string {
  const beside = join(fromDir, 'lua');
  if (existsSync(join(beside, PRELUDE))) return beside;
  for (let dir = fromDir; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'package.json'))) {
      const inSrc = join(dir, 'src', 'state', 'redis', 'lua');
      if (existsSync(join(inSrc, PRELUDE))) return inSrc;
    }
    if (dirname(dir) === dir) break;
  }
  throw new Error(`Lua scripts of the Redis state store not found from ${fromDir}`);
}

/** Every script's source: for op types the shared prelude, then the script's own file. */
export function loadScripts(dir: string = findLuaDir()): ScriptSources {
  const prelude = readFileSync(join(dir, PRELUDE), 'utf8');
  const source = (def: ScriptDef) => `${prelude}\n${readFileSync(join(dir, def.file), 'utf8')}`;
  return {
    window: source(SCRIPTS.window),
    profile: source(SCRIPTS.profile),
    seen: source(SCRIPTS.seen),
    travel: source(SCRIPTS.travel),
    signal: source(SCRIPTS.signal),
    cooldown: source(SCRIPTS.cooldown),
    markSeen: readFileSync(join(dir, MARK_SEEN_SCRIPT.file), 'utf8'),
    cas: readFileSync(join(dir, CAS_SCRIPT.file), 'utf8'),
    casMany: readFileSync(join(dir, CAS_MANY_SCRIPT.file), 'utf8'),
  };
}

export function defineScripts(client: Redis, sources: ScriptSources): void {
  for (const type of Object.keys(SCRIPTS) as StoreOp['type'][]) {
    client.defineCommand(SCRIPTS[type].command, { numberOfKeys: SCRIPTS[type].keys, lua: sources[type] });
  }
  client.defineCommand(MARK_SEEN_SCRIPT.command, { lua: sources.markSeen });
  client.defineCommand(CAS_SCRIPT.command, { numberOfKeys: CAS_SCRIPT.keys, lua: sources.cas });
  client.defineCommand(CAS_MANY_SCRIPT.command, { lua: sources.casMany });
}
