/*
 * The catalogue of Guardrail's coded errors. Every error the product raises on purpose is one of
 * these classes, with a stable `code` that logs, tests and docs refer to; callers branch on the
 * class or code, never on message text.
 */

export type ErrorCode =
  | 'GR_ERR_EVENT_INVALID'
  | 'GR_ERR_RULES_INVALID'
  | 'GR_ERR_RULES_IO'
  | 'GR_ERR_RULE_TEST_INVALID'
  | 'GR_ERR_CONFIG_INVALID'
  | 'GR_ERR_KAFKA_ACCESS'
  | 'GR_ERR_STORE_UNAVAILABLE'
  | 'GR_ERR_STORE_TIMEOUT'
  | 'GR_ERR_STORE_CONTENTION'
  | 'GR_ERR_GEOIP'
  | 'GR_ERR_USAGE';

export class GuardrailError extends Error {
  readonly code: ErrorCode;

  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** One located problem in a YAML file: `file:line:column: path: sentence`. */
export interface LocatedProblem {
  file: string;
  line: number;
  column: number;
  /** Path inside the document, e.g. `rules[0].window`; empty for the document itself. */
  path: string;
  message: string;
}

export function formatProblem(p: LocatedProblem): string {
  return `${p.file}:${p.line}:${p.column}: ${p.path ? `${p.path}: ` : ''}${p.message}`;
}

/** A rules directory or file that does not validate; carries every problem found, not just the first. */
export class RulesInvalidError extends GuardrailError {
  readonly problems: readonly LocatedProblem[];

  constructor(problems: readonly LocatedProblem[]) {
    super('GR_ERR_RULES_INVALID', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** A rule test file that does not validate. */
export class RuleTestInvalidError extends GuardrailError {
  readonly problems: readonly LocatedProblem[];

  constructor(problems: readonly LocatedProblem[]) {
    super('GR_ERR_RULE_TEST_INVALID', problems.map(formatProblem).join('\n'));
    this.problems = problems;
  }
}

/** An event that breaks the AgentAccessEvent v1 contract. `reason` names the field and the fault. */
export class EventInvalidError extends GuardrailError {
  readonly reason: string;

  constructor(reason: string) {
    super('GR_ERR_EVENT_INVALID', reason);
    this.reason = reason;
  }
}

export class ConfigInvalidError extends GuardrailError {
  constructor(message: string) {
    super('GR_ERR_CONFIG_INVALID', message);
  }
}

/** Kafka refused the SASL login, or a broker's certificate did not verify: no retry cures it, start-up stops. */
export class KafkaAccessError extends GuardrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GR_ERR_KAFKA_ACCESS', message, options);
  }
}

/** A GeoIP database that cannot be read (missing, not a MaxMind DB, the wrong kind of database). */
export class GeoIpError extends GuardrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GR_ERR_GEOIP', message, options);
  }
}

export class UsageError extends GuardrailError {
  constructor(message: string) {
    super('GR_ERR_USAGE', message);
  }
}

/** The state store cannot be reached; the processor applies its fail mode. */
export class StoreUnavailableError extends GuardrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GR_ERR_STORE_UNAVAILABLE', message, options);
  }
}

export class StoreTimeoutError extends GuardrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GR_ERR_STORE_TIMEOUT', message, options);
  }
}

/**
 * A batch whose states kept being written by another instance meanwhile (cached mode: states
 * grouped by principal or token are shared across partitions). Not an outage: the store answers,
 * so the batch is worked again later, whatever the fail mode.
 */
export class StoreContentionError extends GuardrailError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('GR_ERR_STORE_CONTENTION', message, options);
  }
}
