/*
 * Turns what ioredis throws into the catalogue's typed store errors, so the engine can apply its
 * fail mode without knowing Redis. Errors that are not outages (a script bug) pass through as they are.
 */
import { GuardrailError, StoreTimeoutError, StoreUnavailableError } from '../../errors/index.js';

/**
 * Whether a Redis error reply means "not available right now" rather than "this command is wrong".
 * Only `ERR` (a script or command error: a bug) and `WRONGTYPE` (a key of another kind) blame the
 * command; every other code (LOADING, READONLY, BUSY, OOM, MISCONF when Redis cannot persist,
 * NOAUTH, MASTERDOWN, and codes this list does not know yet) is the server's state, so the fail mode
 * applies instead of the batch's events being set aside one by one as if each had broken the rules.
 * `ERR max number of clients reached` is the one ERR that is about the server.
 */
export function isUnavailableReply(message: string): boolean {
  if (message.startsWith('ERR max number of clients')) return true;
  return !/^(ERR|WRONGTYPE)\b/.test(message);
}

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
  if (e.name === 'ReplyError' && !isUnavailableReply(e.message)) return e;
  return new StoreUnavailableError(`Redis state store at ${where} is unavailable: ${e.message}`, { cause: e });
}
