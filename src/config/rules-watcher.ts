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

/** What identifies the rules' content without reading it: resolved paths, sizes and modification times. */
async function fingerprint(path: string): Promise<string> {
  try {
    const files = await findRuleFiles([path]);
    const parts = await Promise.all(
      files.map(async (f) => {
        const real = await realpath(f);
        const info = await stat(real);
        return `${f}>${real}:${info.size}:${info.mtimeMs}:${info.ino}`;
      }),
    );
    return parts.join('\n');
  } catch (err) {
    return `error:${err instanceof Error ? err.message : String(err)}`;
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
    this.lastFingerprint = fp;
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
    if (fp === this.lastFingerprint || this.closed) return;
    this.lastFingerprint = fp;
    const log = this.options.log;
    try {
      const ruleset = await loadRules(this.options.path);
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
