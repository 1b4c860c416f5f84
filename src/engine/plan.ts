/*
 * Collects a batch's store work by state key: one operation per key with its inputs in arrival
 * order, so the store can apply each key atomically in one call (one round trip per key per batch).
 */
import type { ObservationOf, StateKey, StateStore, StoreOp, StoreResult } from '../state/types.js';

type OpOf<T extends StoreOp['type']> = Extract<StoreOp, { type: T }>;

/** Where an input went, to find its observation after the store answered. */
export interface Ref<T extends StoreOp['type']> {
  readonly type: T;
  readonly op: number;
  readonly input: number;
}

export class Plan {
  readonly ops: StoreOp[] = [];
  private readonly byKey = new Map<string, number>();
  private results: StoreResult[] = [];

  add<T extends StoreOp['type']>(type: T, key: StateKey, spec: OpOf<T>['spec'], input: OpOf<T>['inputs'][number]): Ref<T> {
    const k = `${type}\u0000${key.rule}\u0000${key.group}`;
    let index = this.byKey.get(k);
    if (index === undefined) {
      index = this.ops.length;
      this.ops.push({ type, key, spec, inputs: [] } as unknown as StoreOp);
      this.byKey.set(k, index);
    }
    const inputs = this.ops[index]!.inputs as unknown[];
    inputs.push(input);
    return { type, op: index, input: inputs.length - 1 };
  }

  get size(): number {
    return this.ops.length;
  }

  async run(store: StateStore): Promise<void> {
    this.results = this.ops.length === 0 ? [] : await store.apply(this.ops);
  }

  observation<T extends StoreOp['type']>(ref: Ref<T>): ObservationOf[T] {
    const result = this.results[ref.op];
    if (!result || result.type !== ref.type) throw new Error(`store answered ${result?.type ?? 'nothing'} for a ${ref.type} operation`);
    return result.observations[ref.input] as ObservationOf[T];
  }
}
