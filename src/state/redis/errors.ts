/*
 * Turns what ioredis throws into the catalogue's typed store errors, so the engine can apply its
 * fail mode without knowing Redis. Errors that are not outages (a script bug) pass through as they are.
 */
import { GuardrailError, StoreTimeoutError, StoreUnavailableError } from '../../errors/index.js';

/** Server replies that mean "not available right now", not "your command is wrong". */
const UNAVAILABLE_REPLIES = /^(LOADING|READONLY|MASTERDOWN|BUSY|CLUSTERDOWN|TRYAGAIN|OOM|NOAUTH|WRONGPASS|NOPERM|NOREPLICAS)\b/;

// ioredis gives neither its timeout nor its connection errors a code; its messages are all there is.
const TIMEOUT_MESSAGE = 'Command timed out';

export function toStoreError(err: unknown, where: string): Error {
  if (err instanceof GuardrailError) return err;
  let e = err instanceof Error ? err : new Error(String(err));
  // A transaction Redis refused to queue (EXECABORT) fails for the reason its commands were
  // refused: an OOM or READONLY there is an outage like anywhere else. ioredis lists them.
  const previous = (e as { previousErrors?: unknown }).previousErrors;
  if (e.message.startsWith('EXECABORT') && Array.isArray(previous) && previous[0] instanceof Error) e = previous[0];
  if (e.message === TIMEOUT_MESSAGE) return new StoreTimeoutError(`Redis state store at ${where} did not answer in time`, { cause: e });
  if (e.name === 'ReplyError' && !UNAVAILABLE_REPLIES.test(e.message)) return e;
  return new StoreUnavailableError(`Redis state store at ${where} is unavailable: ${e.message}`, { cause: e });
}
