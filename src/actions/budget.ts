/*
 * The revocation budget (shared DESIGN.md, "Safety of automatic response"): at most N restricting
 * actions per minute across the whole processor, so a broken rule cannot revoke every token in the
 * company. Kept in Redis (one sorted set, one Lua call per batch) so all instances share it; an
 * in-memory budget per instance stands in while Redis is down (fail-open mode only).
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Redis } from 'ioredis';

export const BUDGET_WINDOW_MS = 60_000;

export interface RevocationBudget {
  /** Per action id: admitted (true) or held (false). An id admitted before inside the window is admitted again. */
  admit(ids: readonly string[], nowMs: number): Promise<boolean[]>;
}

const SCRIPT = 'budget-1.lua';

/** The lua/ folder beside this module (run from src), else the package's src/actions/lua (run from dist). */
function findScript(fromDir: string = dirname(fileURLToPath(import.meta.url))): string {
  const beside = join(fromDir, 'lua', SCRIPT);
  if (existsSync(beside)) return beside;
  for (let dir = fromDir; dirname(dir) !== dir; dir = dirname(dir)) {
    const inSrc = join(dir, 'src', 'actions', 'lua', SCRIPT);
    if (existsSync(join(dir, 'package.json')) && existsSync(inSrc)) return inSrc;
  }
  throw new Error(`${SCRIPT} not found from ${fromDir}`);
}

type BudgetCommand = (key: string, ...args: string[]) => Promise<string[]>;

export class RedisBudget implements RevocationBudget {
  private readonly key: string;

  constructor(
    private readonly client: Redis,
    prefix: string,
    private readonly perMinute: number,
  ) {
    this.key = `${prefix}:budget:restricting`;
    if (!('guardrailBudget' in client)) client.defineCommand('guardrailBudget', { numberOfKeys: 1, lua: readFileSync(findScript(), 'utf8') });
  }

  async admit(ids: readonly string[], nowMs: number): Promise<boolean[]> {
    if (ids.length === 0) return [];
    const command = (this.client as unknown as { guardrailBudget: BudgetCommand }).guardrailBudget.bind(this.client);
    const reply = await command(this.key, String(nowMs), String(BUDGET_WINDOW_MS), String(this.perMinute), ...ids);
    return reply.map((r) => r === '1');
  }
}

/** The same sliding window, in this process only. */
export class MemoryBudget implements RevocationBudget {
  private readonly admitted = new Map<string, number>();

  constructor(private perMinute: number) {}

  get limit(): number {
    return this.perMinute;
  }

  /** Changes the limit (the fail-open budget follows the number of instances); admitted ids stay counted. */
  setLimit(perMinute: number): void {
    this.perMinute = perMinute;
  }

  async admit(ids: readonly string[], nowMs: number): Promise<boolean[]> {
    for (const [id, t] of this.admitted) if (t <= nowMs - BUDGET_WINDOW_MS) this.admitted.delete(id);
    return ids.map((id) => {
      if (this.admitted.has(id)) return true;
      if (this.admitted.size >= this.perMinute) return false;
      this.admitted.set(id, nowMs);
      return true;
    });
  }
}
