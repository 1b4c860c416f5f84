/*
 * Collects a batch's store work by state key: one operation per key with its inputs in arrival
 * order, so the store can apply each key atomically in one call (one round trip per key per batch).
 * With a store in this process (SyncStateStore) the same plan applies each input at once instead:
 * the key is opened on its first input of the batch, exactly as an operation would start there, so
 * the observations are the same and nothing of the batch's work is kept until its end.
 */
import { isSyncStore } from '../state/types.js';
import type { InputOf, ObservationOf, OpenState, SpecOf, StateStore, StoreOp, StoreResult, SyncStateStore } from '../state/types.js';

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
  // type -> state rule -> group -> op index (or open key). Nested maps, not one joined key: add()
  // runs for every event and rule, and joining strings there would allocate and hash a new key each time.
  private readonly byKey = new Map<string, Map<string, Map<string, number | OpenState<StoreOp['type']>>>>();
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

  add<T extends StoreOp['type']>(type: T, rule: string, group: string, spec: SpecOf<T>, input: InputOf<T>): Ref<T> {
    if (this.sync) return { type, op: -1, input: -1, observed: this.observe(type, rule, group, spec, input) };
    const byGroup = this.groupsOf(type, rule);
    let index = byGroup.get(group) as number | undefined;
    if (index === undefined) {
      index = this.ops.length;
      this.ops.push({ type, key: { rule, group }, spec, inputs: [] } as unknown as StoreOp);
      byGroup.set(group, index);
    }
    const inputs = this.ops[index]!.inputs as unknown[];
    inputs.push(input);
    return { type, op: index, input: inputs.length - 1 };
  }

  /**
   * Immediate plans only: applies the input at once and returns its observation, with no Ref to
   * allocate. Planners call it for every event and rule when the store is in this process.
   */
  observe<T extends StoreOp['type']>(type: T, rule: string, group: string, spec: SpecOf<T>, input: InputOf<T>): ObservationOf[T] {
    const sync = this.sync;
    if (!sync) throw new Error('observe() needs a store in this process; use add() and observation()');
    const byGroup = this.groupsOf(type, rule);
    let open = byGroup.get(group) as OpenState<T> | undefined;
    if (open === undefined) {
      open = sync.open(type, { rule, group }, spec, input.timeMs);
      byGroup.set(group, open as unknown as OpenState<StoreOp['type']>);
    }
    return open.apply(input);
  }

  private groupsOf(type: StoreOp['type'], rule: string): Map<string, number | OpenState<StoreOp['type']>> {
    let byRule = this.byKey.get(type);
    if (!byRule) {
      byRule = new Map();
      this.byKey.set(type, byRule);
    }
    let byGroup = byRule.get(rule);
    if (!byGroup) {
      byGroup = new Map();
      byRule.set(rule, byGroup);
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
