/*
 * `guardrail run [--config FILE]`: the stream processor. Settings come from the environment, over an
 * optional config file (docs/processor.md lists them). Exit status: 0 after a clean shutdown on
 * SIGTERM or SIGINT, 1 when GUARDRAIL_SHUTDOWN_TIMEOUT passed first (the batch in flight is left
 * uncommitted), 2 for a bad setting, 1 when start-up fails (invalid rules, Kafka unreachable).
 */
import { pino, type Logger } from 'pino';
import { ConfigInvalidError, GuardrailError, RulesInvalidError, formatProblem } from '../errors/index.js';
import { describeConfig, loadConfig, SETTINGS, type LoadedConfig } from '../config/index.js';
import { startProcessor } from '../kafka/index.js';
import { createMetrics } from '../metrics/index.js';
import { parse } from './args.js';

const HELP = `usage: guardrail run [--config FILE]

Consumes agent access events from Kafka, keeps state in Redis, publishes detections,
revocations, quarantines and approval requests. Configured by environment variables over an
optional config file (-c, --config FILE: YAML or JSON) of the same names; docs/processor.md
says more about each.

settings (default):
${SETTINGS.map((s) => `  ${s.name}${s.default === undefined ? '' : ` (${s.default})`}\n      ${s.help}`).join('\n')}
`;

/** pino with a redaction list for anything credential-shaped that might end up in a log field. */
export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { service: 'guardrail' },
    redact: { paths: ['password', '*.password', '*.*.password', 'sasl', '*.sasl', 'token', '*.token', 'authorization', '*.authorization'], censor: '[REDACTED]' },
  });
}

export async function runCommand(argv: string[]): Promise<number> {
  const { values } = parse(argv, { config: { type: 'string', short: 'c' }, help: { type: 'boolean', short: 'h' } });
  if (values.help) {
    process.stdout.write(HELP);
    return 0;
  }
  let loaded: LoadedConfig;
  try {
    loaded = loadConfig(process.env, values.config);
  } catch (err) {
    if (err instanceof ConfigInvalidError) {
      process.stderr.write(`guardrail run: ${err.message}\n`);
      return 2;
    }
    throw err;
  }
  const { config, warnings } = loaded;
  const log = createLogger(config.logLevel);
  for (const w of warnings) log.warn(w);
  log.info({ config: describeConfig(config) }, 'starting');

  const processor = await (async () => {
    try {
      return await startProcessor(config, { log, metrics: createMetrics() });
    } catch (err) {
      if (err instanceof RulesInvalidError) {
        log.fatal({ problems: err.problems.map(formatProblem) }, 'the rules do not validate; not starting');
        process.stderr.write(err.problems.map((p) => `${formatProblem(p)}\n`).join(''));
      } else if (err instanceof GuardrailError) {
        log.fatal({ code: err.code }, `not starting: ${err.message}`);
        process.stderr.write(`guardrail run: ${err.message}\n`);
      } else {
        log.fatal({ err }, 'start-up failed');
        process.stderr.write(`guardrail run: start-up failed: ${err instanceof Error ? err.message : String(err)}\n`);
      }
      return undefined;
    }
  })();
  if (!processor) return 1;
  log.info('running');

  const signal = await new Promise<NodeJS.Signals>((resolve) => {
    const on = (s: NodeJS.Signals) => {
      process.off('SIGTERM', on);
      process.off('SIGINT', on);
      // A second signal, of either kind, does not wait for the graceful path.
      for (const again of ['SIGTERM', 'SIGINT'] as const) process.once(again, () => process.exit(130));
      resolve(s);
    };
    process.on('SIGTERM', on);
    process.on('SIGINT', on);
  });
  log.info({ signal }, 'shutting down: finishing the batch in flight');
  if ((await processor.stop()) === 'timeout') {
    // A client still closing (a producer retrying a send to a broker that is gone) would keep the
    // process alive past the timeout the operator set: give the exit a second, then force it.
    setTimeout(() => process.exit(1), 1000).unref();
    return 1;
  }
  log.info('stopped');
  return 0;
}
