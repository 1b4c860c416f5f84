/*
 * Dead letters: an event that cannot be processed goes to the dead-letter topic with its original
 * key, bytes and headers, plus headers saying where it came from and why (shared DESIGN.md). The
 * reason comes from the decoder, which never echoes a credential.
 */
import type { KafkaMessage } from 'kafkajs';
import type { OutRecord } from '../actions/index.js';
import { credentialKind, isCredentialKey, isCredentialReason, isSecretValue, redactCredentials, redactText, REDACTED } from '../events/index.js';

export const DLQ_HEADERS = {
  reason: 'guardrail-reason',
  topic: 'guardrail-source-topic',
  partition: 'guardrail-source-partition',
  offset: 'guardrail-source-offset',
  timestamp: 'guardrail-source-timestamp',
  failedAt: 'guardrail-failed-at',
  redacted: 'guardrail-redacted',
} as const;

export function deadLetter(dlqTopic: string, source: { topic: string; partition: number }, message: KafkaMessage, reason: string, nowMs: number): OutRecord {
  const headers: OutRecord['headers'] = {};
  let redacted = false;
  // As they came, a header without a value (null) included: kafkajs's type leaves that case out;
  // but never a credential (an authorization header, a token in a trace header).
  for (const [name, value] of Object.entries(message.headers ?? {}) as [string, OutRecord['headers'][string] | undefined][]) {
    if (value === undefined) continue;
    const safe = redactHeader(name, value);
    if (safe !== value) redacted = true;
    headers[name] = safe;
  }
  const value = redactValue(message.value, reason);
  if (value !== message.value) redacted = true;
  if (redacted) headers[DLQ_HEADERS.redacted] = 'credentials';
  headers[DLQ_HEADERS.reason] = reason;
  headers[DLQ_HEADERS.topic] = source.topic;
  headers[DLQ_HEADERS.partition] = String(source.partition);
  headers[DLQ_HEADERS.offset] = message.offset;
  headers[DLQ_HEADERS.timestamp] = message.timestamp;
  headers[DLQ_HEADERS.failedAt] = new Date(nowMs).toISOString();
  return { topic: dlqTopic, key: message.key, value, headers };
}

/**
 * The dead letter's value: the original bytes, unless they hold a credential. A credential must
 * not be stored by us (the dead-letter topic is kept and read by people), so a JSON event rejected
 * for one is written with each credential-shaped string replaced by "[REDACTED]", and other text
 * with each credential-shaped part replaced. Everything else of the event is kept for the emitter
 * to fix and replay.
 */
function redactValue(value: Buffer | null, reason: string): Buffer | null {
  if (value === null) return null;
  const text = value.toString('utf8');
  if (isCredentialReason(reason)) {
    try {
      return Buffer.from(JSON.stringify(redactCredentials(JSON.parse(text) as unknown)));
    } catch {
      // Not JSON after all (its bytes were decoded another way): redact the text.
    }
  }
  const redacted = scrub(text);
  return redacted === text ? value : Buffer.from(redacted);
}

/** Text with its credential-shaped parts replaced, when the decoder would take it for one; else the same text. */
function scrub(text: string): string {
  return credentialKind(text) === undefined ? text : redactText(text);
}

function redactHeader(name: string, value: OutRecord['headers'][string]): OutRecord['headers'][string] {
  if (Array.isArray(value)) {
    const items = value.map((v) => redactHeader(name, v) as string | Buffer | null);
    return items.every((v, i) => v === value[i]) ? value : items;
  }
  if (value === null) return null;
  const text = Buffer.isBuffer(value) ? value.toString('utf8') : value;
  if (isCredentialKey(name) && isSecretValue(text)) return REDACTED;
  const scrubbed = scrub(text);
  return scrubbed === text ? value : scrubbed;
}

export const DLQ_TRUNCATED = 'guardrail-truncated-from';
export const DLQ_KEY_TRUNCATED = 'guardrail-key-truncated-from';
export const DLQ_HEADERS_DROPPED = 'guardrail-headers-dropped';
const KEEP_BYTES = 64 * 1024;
const KEEP_KEY_BYTES = 1024;
const KEEP_HEADER_BYTES = 16 * 1024;

const bytesOf = (v: string | Buffer): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v));

function headerBytes(headers: OutRecord['headers']): number {
  let n = 0;
  for (const [k, v] of Object.entries(headers)) n += Buffer.byteLength(k) + (Array.isArray(v) ? v : [v]).reduce((s, x) => s + (x === null ? 0 : Buffer.byteLength(x)), 0);
  return n;
}

/**
 * A dead letter too large for the broker, cut to what any topic takes (about 82 KiB at most): the
 * first 64 KiB of its value, the first 1 KiB of its key, and its original headers only if they
 * come to 16 KiB or less, each cut named in a header with the original size. Sending it whole again
 * would be refused again, and the partition would stall behind it.
 */
export function truncateDeadLetter(r: OutRecord): OutRecord {
  const headers: OutRecord['headers'] = {};
  const own = new Set<string>([...Object.values(DLQ_HEADERS), DLQ_TRUNCATED, DLQ_KEY_TRUNCATED, DLQ_HEADERS_DROPPED]);
  const theirs = Object.fromEntries(Object.entries(r.headers).filter(([k]) => !own.has(k)));
  const theirBytes = headerBytes(theirs);
  if (theirBytes <= KEEP_HEADER_BYTES) Object.assign(headers, theirs);
  else headers[DLQ_HEADERS_DROPPED] = String(theirBytes);
  for (const [k, v] of Object.entries(r.headers)) if (own.has(k)) headers[k] = v;
  const cut = (v: string | Buffer | null, keep: number, header: string): string | Buffer | null => {
    if (v === null) return null;
    const bytes = bytesOf(v);
    if (bytes.length <= keep) return v;
    headers[header] = String(bytes.length);
    return bytes.subarray(0, keep);
  };
  const value = cut(r.value, KEEP_BYTES, DLQ_TRUNCATED);
  const key = cut(r.key, KEEP_KEY_BYTES, DLQ_KEY_TRUNCATED);
  return { ...r, key, value, headers };
}
