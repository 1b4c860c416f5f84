/*
 * Errors of the processor's own Redis calls (ledger, budget, quarantine entries) as the catalogue's
 * typed store errors, so the fail mode treats them like the state store's.
 */
import { GuardrailError, StoreTimeoutError, StoreUnavailableError } from '../errors/index.js';
import { isUnavailableReply } from '../state/redis/errors.js';

export function toStoreError(err: unknown): Error {
  if (err instanceof GuardrailError) return err;
  const e = err instanceof Error ? err : new Error(String(err));
  // ioredis gives its timeouts no code; the message is all there is.
  if (e.message === 'Command timed out') return new StoreTimeoutError('Redis did not answer in time', { cause: e });
  if (e.name === 'ReplyError' && !isUnavailableReply(e.message)) return e;
  return new StoreUnavailableError(`Redis is unavailable: ${e.message}`, { cause: e });
}

export function isStoreError(err: unknown): boolean {
  return err instanceof StoreUnavailableError || err instanceof StoreTimeoutError;
}
