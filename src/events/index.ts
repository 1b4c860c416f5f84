/* AgentAccessEvent v1: the contract, its JSON Schema, the decoder and credential redaction. */
export type { AgentAccessEvent, DecodedEvent, DecodeResult, Outcome, Sensitivity } from './types.js';
export { decodeEvent, decodeEventObject } from './decode.js';
export { EventSchema, eventJsonSchema, OUTCOMES, SENSITIVITIES, type EventShape } from './schema.js';
export { renderEventSchema, writeEventSchema } from './schema-file.js';
export { REDACTED, redactCredentials } from './redact.js';
export { credentialKind, isCredentialKey, isSecretValue, redactText } from './credential-patterns.js';
export { isCredentialReason } from './scan.js';
export { parseRfc3339 } from './time.js';
export { isIanaTimeZone } from './timezone.js';
export { addGeoCounts, deriveGeo, GeoIpDatabase, GeoIpFile, noGeoCounts, type GeoCounts, type GeoIpInfo, type GeoLocation, type GeoLookup, type GeoOutcome } from './geoip.js';
