/*
 * Collects a batch's store work by state key: one operation per key with its inputs in arrival
 * order, so the store can apply each key atomically in one call (one round trip per key per batch).
 * With a store in this process (SyncStateStore) the same plan applies each input at once instead:
 * the key is opened on its first input of the batch, exactly as an operation would start there, so
 * the observations are the same and nothing of the batch's work is kept until its end.
 */
import { isSyncStore } from '../state/types.js';
import type { InputOf, ObservationOf, OpenState, SpecOf, StateStore, StoreOp, StoreResult, SyncStateStore } from '../state/types.js';

/**
 * One kind of state of one rule (its window, its cooldown, ...): the op type, the state id the
 * store keys it by, its spec, and a small number unique to the pair, by which a plan finds the
 * rule's keys without hashing the type and the id for every event.
 */
export interface RuleState<T extends StoreOp['type']> {
  readonly type: T;
  readonly stateRule: string;
  readonly spec: SpecOf<T>;
  readonly slot: number;
}

const slots = new Map<string, number>();

/** The slot of a (type, state id) pair: the same number for the same pair, for the life of the process. */
export function stateSlot(type: StoreOp['type'], stateRule: string): number {
  const name = `${type}\u0000${stateRule}`;
  let slot = slots.get(name);
  if (slot === undefined) {
    slot = slots.size;
    slots.set(name, slot);
  }
  return slot;
}

/** Where an input went, to find its observation after the store answered. */
export interface Ref<T extends StoreOp['type']> {
  readonly type: T;
  readonly op: number;
  readonly input: number;
  /** Immediate plans: the observation itself. */
  readonly observed?: ObservationOf[T];
}

export class Plan {
  readonly ops: StoreOp[] = [];
  // Per slot (a rule's state), group -> op index (or open state). Indexed by slot, not by a joined
  // key: add() runs for every event and rule, and a string key would be built or hashed each time.
  private readonly bySlot: (Map<string, number | OpenState<StoreOp['type']>> | undefined)[] = [];
  private results: StoreResult[] = [];
  private readonly sync: SyncStateStore | undefined;
  private readonly store: StateStore;

  constructor(store: StateStore) {
    this.store = store;
    this.sync = isSyncStore(store) ? store : undefined;
  }

  /** True when observations are available as soon as add() returns. */
  get immediate(): boolean {
    return this.sync !== undefined;
  }

  add<T extends StoreOp['type']>(state: RuleState<T>, group: string, input: InputOf<T>): Ref<T> {
    const { type } = state;
    if (this.sync) return { type, op: -1, input: -1, observed: this.openOf(this.sync, state, group, input.timeMs).apply(input) };
    const byGroup = this.groupsOf(state.slot);
    let index = byGroup.get(group) as number | undefined;
    if (index === undefined) {
      index = this.ops.length;
      this.ops.push({ type, key: { rule: state.stateRule, group }, spec: state.spec, inputs: [] } as unknown as StoreOp);
      byGroup.set(group, index);
    }
    const inputs = this.ops[index]!.inputs as unknown[];
    inputs.push(input);
    return { type, op: index, input: inputs.length - 1 };
  }

  /**
   * Immediate plans only: applies the input at once and returns its observation, with no Ref to
   * allocate. Planners call it for every event and rule when the store is in this process, and
   * decide before their next call: the observation is transient (OpenState.apply), valid until the
   * next input of any key is applied. add() keeps observations until the batch is decided, so it
   * asks for lasting ones.
   */
  observe<T extends StoreOp['type']>(state: RuleState<T>, group: string, input: InputOf<T>): ObservationOf[T] {
    const sync = this.sync;
    if (!sync) throw new Error('observe() needs a store in this process; use add() and observation()');
    return this.openOf(sync, state, group, input.timeMs).apply(input, true);
  }

  /** The key's state, opened on its first input of the plan. */
  private openOf<T extends StoreOp['type']>(sync: SyncStateStore, state: RuleState<T>, group: string, timeMs: number): OpenState<T> {
    const byGroup = this.groupsOf(state.slot);
    let open = byGroup.get(group) as OpenState<T> | undefined;
    if (open === undefined) {
      open = sync.open(state.type, { rule: state.stateRule, group }, state.spec, timeMs);
      byGroup.set(group, open as unknown as OpenState<StoreOp['type']>);
    }
    return open;
  }

  private groupsOf(slot: number): Map<string, number | OpenState<StoreOp['type']>> {
    let byGroup = this.bySlot[slot];
    if (!byGroup) {
      byGroup = new Map();
      this.bySlot[slot] = byGroup;
    }
    return byGroup;
  }

  get size(): number {
    return this.ops.length;
  }

  /** Sends the planned operations to the store (nothing to do for an immediate plan). */
  async run(): Promise<void> {
    if (this.sync || this.ops.length === 0) return;
    this.results = await this.store.apply(this.ops);
  }

  observation<T extends StoreOp['type']>(ref: Ref<T>): ObservationOf[T] {
    if (ref.observed !== undefined) return ref.observed;
    const result = this.results[ref.op];
    if (!result || result.type !== ref.type) throw new Error(`store answered ${result?.type ?? 'nothing'} for a ${ref.type} operation`);
    return result.observations[ref.input] as ObservationOf[T];
  }
}
