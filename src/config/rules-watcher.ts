/*
 * Hot reload of the rules: watches the rules path (file system events, plus a poll as a fallback
 * for mounts that send none) and reloads with the very loader `guardrail validate` runs. A Kubernetes
 * ConfigMap mount swaps a `..data` symlink; the fingerprint follows symlinks, so the swap is seen.
 * A valid change is handed to `onRules`; an invalid one keeps the last good rules, is logged with
 * its located problems and counted, once per distinct content.
 */
import { watch, type FSWatcher } from 'node:fs';
import { realpath, stat } from 'node:fs/promises';
import type { Logger } from 'pino';
import { GuardrailError, RulesInvalidError, formatProblem } from '../errors/index.js';
import { findRuleFiles, loadRules, type Ruleset } from '../rules/index.js';

export type ReloadOutcome = 'success' | 'failure';

export interface RulesWatcherOptions {
  path: string;
  pollIntervalMs: number;
  log: Logger;
  /** A new valid ruleset (not called for the initial load). */
  onRules: (ruleset: Ruleset) => void;
  onReload?: (outcome: ReloadOutcome, ruleset?: Ruleset) => void;
  /** Coalesces bursts of file system events (an editor writes a file in several steps). */
  debounceMs?: number;
}

/**
 * A file modified this recently may still be being written (a save in place truncates, then
 * writes): its change is applied once it has been left alone this long.
 */
export const SETTLE_MS = 500;

/** What identifies the rules' content without reading it (resolved paths, sizes, modification times), and the newest modification. */
async function fingerprint(path: string): Promise<{ text: string; newestMs: number }> {
  try {
    const files = await findRuleFiles([path]);
    let newestMs = -Infinity;
    const parts = await Promise.all(
      files.map(async (f) => {
        const real = await realpath(f);
        const info = await stat(real);
        if (info.mtimeMs > newestMs) newestMs = info.mtimeMs;
        return `${f}>${real}:${info.size}:${info.mtimeMs}:${info.ino}`;
      }),
    );
    return { text: parts.join('\n'), newestMs };
  } catch (err) {
    return { text: `error:${err instanceof Error ? err.message : String(err)}`, newestMs: -Infinity };
  }
}

export class RulesWatcher {
  private current: Ruleset | undefined;
  private lastFingerprint = '';
  private watcher: FSWatcher | undefined;
  private timer: NodeJS.Timeout | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private checking: Promise<void> | undefined;
  private again = false;
  private closed = false;

  constructor(private readonly options: RulesWatcherOptions) {}

  get rules(): Ruleset | undefined {
    return this.current;
  }

  /** Loads the rules once; throws what the loader throws (start-up stops on bad rules). */
  async start(): Promise<Ruleset> {
    const fp = await fingerprint(this.options.path);
    const ruleset = await loadRules(this.options.path);
    this.current = ruleset;
    this.lastFingerprint = fp.text;
    this.options.onReload?.('success', ruleset);
    try {
      this.watcher = watch(this.options.path, { recursive: true, persistent: false }, () => this.schedule());
      this.watcher.on('error', (err) => {
        this.options.log.warn({ err }, 'watching the rules stopped; changes are still picked up by polling');
        this.watcher?.close();
        this.watcher = undefined;
      });
    } catch (err) {
      this.options.log.warn({ err }, 'cannot watch the rules for changes; polling instead');
    }
    this.timer = setInterval(() => this.schedule(0), this.options.pollIntervalMs);
    this.timer.unref();
    return ruleset;
  }

  /** Checks now (tests, or a SIGHUP); resolves when the check is done. */
  async check(): Promise<void> {
    if (this.checking) {
      this.again = true;
      return this.checking;
    }
    this.checking = this.runCheck().finally(() => {
      this.checking = undefined;
    });
    await this.checking;
    if (this.again && !this.closed) {
      this.again = false;
      await this.check();
    }
  }

  close(): void {
    this.closed = true;
    this.watcher?.close();
    clearInterval(this.timer);
    clearTimeout(this.debounce);
  }

  private schedule(delay = this.options.debounceMs ?? 250): void {
    if (this.closed) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.check(), delay);
    this.debounce.unref();
  }

  private async runCheck(): Promise<void> {
    const fp = await fingerprint(this.options.path);
    if (fp.text === this.lastFingerprint || this.closed) return;
    // A file written in place can be caught between its truncation and its new text: an empty
    // file is a valid one, and applying it would drop its rules. Wait until the files are left alone.
    const settle = () => this.schedule(SETTLE_MS);
    // (A modification time ahead of this clock, a network file system's, does not hold it back.)
    const age = Date.now() - fp.newestMs;
    if (age >= 0 && age < SETTLE_MS) return settle();
    const log = this.options.log;
    let ruleset: Ruleset | undefined;
    let failure: unknown;
    try {
      ruleset = await loadRules(this.options.path);
    } catch (err) {
      failure = err;
    }
    // Changed while it was read: what was read may be half of it. Judge it once it settles.
    if ((await fingerprint(this.options.path)).text !== fp.text) return settle();
    this.lastFingerprint = fp.text;
    try {
      if (ruleset === undefined) throw failure;
      this.current = ruleset;
      this.options.onRules(ruleset);
      this.options.onReload?.('success', ruleset);
      log.info({ rules: ruleset.rules.length, files: ruleset.files.length }, 'rules reloaded');
    } catch (err) {
      this.options.onReload?.('failure');
      if (err instanceof RulesInvalidError) {
        log.error({ problems: err.problems.map(formatProblem) }, `rules not reloaded, keeping the last good rules: ${err.problems.map(formatProblem).join('; ')}`);
      } else if (err instanceof GuardrailError) {
        log.error({ code: err.code }, `rules not reloaded, keeping the last good rules: ${err.message}`);
      } else {
        log.error({ err }, 'rules not reloaded, keeping the last good rules');
      }
    }
  }
}
