/*
 * Turns one StoreOp into one script call: the keys of its state (all under the group's hash tag)
 * and a flat ARGV of settings followed by its inputs in order. The scripts' header comments give
 * the same layouts from the Lua side.
 */
import { growthGuardBuckets, type StoreOp } from '../types.js';
import { TRAVEL_POSITIONS_KEPT } from '../memory/travel.js';
import { stateKey, type KeyPart } from './keys.js';
import { retainMsOf, type RetentionOptions } from './retention.js';
import { SCRIPTS } from './scripts.js';

export interface EncodeContext extends RetentionOptions {
  prefix: string;
  /** Added to each key's retention for its wall-clock TTL. */
  ttlMarginMs: number;
}

export interface ScriptCall {
  command: string;
  keys: string[];
  args: string[];
}

const PARTS: { readonly [T in StoreOp['type']]: readonly KeyPart[] } = {
  window: ['st', 'slots', 'peaks', 'idm', 'idq'],
  profile: ['st', 'days', 'idm', 'idq'],
  seen: ['st', 'vals', 'idm', 'idq'],
  travel: ['st', 'idm', 'idq'],
  signal: ['st', 'latest', 'idm', 'idq'],
  cooldown: ['st', 'idm', 'idq'],
};

/** Number as text Lua parses back to the same double; String() would turn -0 into 0. */
export function numArg(x: number): string {
  return Object.is(x, -0) ? '-0' : String(x);
}

/** The keys every state of this op type and key uses, in the script's KEYS order. */
export function keysOf(op: Pick<StoreOp, 'type' | 'key'>, prefix: string): string[] {
  return PARTS[op.type].map((part) => stateKey(prefix, op.type, part, op.key));
}

export function encodeOp(op: StoreOp, ctx: EncodeContext): ScriptCall {
  const retainMs = retainMsOf(op, ctx);
  const head = [numArg(ctx.dedupHorizonMs)];
  const common = [numArg(retainMs), String(Math.ceil(retainMs + ctx.ttlMarginMs))];
  const args: string[] = [];
  switch (op.type) {
    case 'window': {
      const b = op.spec.baseline;
      // State kept under other slot or bucket sizes cannot be read under these, so it starts afresh;
      // so does state of an older layout (the leading version: slots and peaks held as binary doubles).
      const signature = `b1/${op.spec.windowMs}/${op.spec.slotMs}/${b?.metric ?? ''}/${b?.bucketMs ?? ''}`;
      args.push(...head, numArg(ctx.latenessMs), ...common, signature, numArg(op.spec.windowMs), numArg(op.spec.slotMs));
      args.push(b?.metric ?? '', numArg(b?.bucketMs ?? 1), numArg(b?.historyMs ?? 0), numArg(b?.growth?.factor ?? 0), numArg(b?.growth?.floor ?? 0), String(b?.growth ? growthGuardBuckets(b.growth.guardMs, b.bucketMs) : 0));
      for (const i of op.inputs) args.push(i.id, numArg(i.timeMs), numArg(i.bytes), numArg(i.records));
      break;
    }
    case 'profile':
      args.push(...head, ...common, numArg(op.spec.historyMs));
      for (const i of op.inputs) args.push(i.id, numArg(i.timeMs), numArg(i.hourOfWeek));
      break;
    case 'seen':
      args.push(...head, ...common, numArg(op.spec.historyMs));
      for (const i of op.inputs) args.push(i.id, numArg(i.timeMs), i.value);
      break;
    case 'travel':
      args.push(...head, ...common, String(TRAVEL_POSITIONS_KEPT));
      for (const i of op.inputs) {
        args.push(i.id, numArg(i.timeMs), numArg(i.lat), numArg(i.lon), i.country === undefined ? '0' : '1', i.country ?? '');
      }
      break;
    case 'signal':
      args.push(...head, ...common, numArg(op.spec.withinMs));
      for (const i of op.inputs) args.push(i.id, numArg(i.timeMs), i.rule, i.eventId, i.reason ?? '');
      break;
    case 'cooldown':
      args.push(...head, ...common, numArg(op.spec.cooldownMs));
      for (const i of op.inputs) args.push(i.id, numArg(i.timeMs));
      break;
  }
  return { command: SCRIPTS[op.type].command, keys: keysOf(op, ctx.prefix), args };
}
