/*
 * What a raw credential looks like: a string value (JWT, Authorization header value, well-known
 * secret formats) or a field name that only ever carries secrets. Tuned against false positives:
 * token ids, UUIDs and ordinary words must pass, because a rejected event is a lost event.
 */

/**
 * Strings shorter than this are not checked against the value patterns, so most ids and verbs
 * cost nothing. Real secrets are longer: an AWS key id has 20 characters, a JWT dozens, and a
 * bearer token or Basic credential shorter than 10 characters would be no credential at all.
 */
export const MIN_CREDENTIAL_LENGTH = 16;

// The telltale prefixes of every pattern below, in the case each pattern requires (only bearer and
// basic ignore case): one cheap test per long string, and only strings that show one pay for the
// exact patterns. Alternatives sharing a first character are grouped under it (a third faster than
// the flat list). Time zones like "Asia/Tokyo" do not pass: ASIA must be upper case, as AWS writes it.
const TELLTALE = /eyJ|[Bb](?:[Ee][Aa][Rr][Ee][Rr]|[Aa][Ss][Ii][Cc])|A(?:KIA|SIA|Iza)|g(?:h[pousr]_|ithub_pat_|lpat-)|xox[abprs]-|[sr]k[-_]|-----BEGIN/;

// A JWT may follow an underscore (tok_eyJ...): its two dotted segments keep base64 blobs out.
const JWT = /(?<![A-Za-z0-9-])eyJ[A-Za-z0-9_-]{7,}\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;
// Global: every occurrence is judged, so prose before a real one ("Bearer realm=api, Bearer 4f9a...") hides nothing.
const BEARER = /(?<![A-Za-z0-9])bearer\s+([A-Za-z0-9\-._~+/]+=*)/gi;
const BASIC = /(?<![A-Za-z0-9])basic\s+([A-Za-z0-9+/]{4,}={0,2})(?![A-Za-z0-9+/=])/gi;
const PEM = /-----BEGIN [A-Z0-9 ]*PRIVATE KEY[A-Z ]*-----/;
const AWS = /(?<![A-Za-z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Za-z0-9])/;
const GITHUB = /(?<![A-Za-z0-9_])(?:gh[pousr]_[A-Za-z0-9]{30,}|github_pat_[A-Za-z0-9_]{30,})/;
const SLACK = /(?<![A-Za-z0-9])xox[abprs]-[A-Za-z0-9-]{10,}/;
const GITLAB = /(?<![A-Za-z0-9])glpat-[A-Za-z0-9_-]{20,}/;
const GOOGLE = /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}/;
const SK = /(?<![A-Za-z0-9_-])(?:sk-[A-Za-z0-9_-]{20,}|[sr]k_(?:live|test)_[A-Za-z0-9]{16,})/;

const HAS_DIGIT = /\d/;
const HAS_LETTER = /[A-Za-z]/;

// "Bearer authentication" is prose; a token is long and random-looking.
function looksLikeBearerToken(token: string): boolean {
  if (token.length < 8) return false;
  if (HAS_DIGIT.test(token)) return true;
  return token.length >= 16 && /[a-z]/.test(token) && /[A-Z]/.test(token);
}

// Basic credentials are base64("user:password"); prose after "Basic" does not decode to that.
function looksLikeBasicCredentials(b64: string): boolean {
  const decoded = Buffer.from(b64, 'base64').toString('latin1');
  return decoded.includes(':') && /^[\x20-\x7e]+$/.test(decoded);
}

/** Whether some match of the global `re` in `s` has a first group that `looks` like a credential. */
function anyMatch(re: RegExp, s: string, looks: (group: string) => boolean): boolean {
  re.lastIndex = 0;
  for (let m = re.exec(s); m !== null; m = re.exec(s)) {
    if (looks(m[1] ?? '')) {
      re.lastIndex = 0;
      return true;
    }
  }
  return false;
}

/** Whether `s` shows the prefix of some credential pattern: the gate in front of `credentialKind`'s exact patterns. */
export function hasTelltale(s: string): boolean {
  return TELLTALE.test(s);
}

/** The kind of credential `s` contains, for the reason text; undefined if it looks like none. */
export function credentialKind(s: string): string | undefined {
  if (s.length < MIN_CREDENTIAL_LENGTH || !hasTelltale(s)) return undefined;
  if (JWT.test(s)) return 'JWT';
  if (anyMatch(BEARER, s, looksLikeBearerToken)) return 'bearer token';
  if (anyMatch(BASIC, s, looksLikeBasicCredentials)) return 'Basic credentials';
  if (PEM.test(s)) return 'private key';
  if (AWS.test(s)) return 'AWS access key id';
  if (GITHUB.test(s)) return 'GitHub token';
  if (SLACK.test(s)) return 'Slack token';
  if (GITLAB.test(s)) return 'GitLab token';
  if (GOOGLE.test(s)) return 'Google API key';
  const sk = SK.exec(s);
  if (sk && HAS_DIGIT.test(sk[0]) && HAS_LETTER.test(sk[0].slice(3))) return 'secret API key';
  return undefined;
}

/** What a credential is replaced with, wherever one is redacted. */
export const REDACTED = '[REDACTED]';
const EVERYWHERE = [JWT, PEM, AWS, GITHUB, SLACK, GITLAB, GOOGLE, SK].map((re) => new RegExp(re.source, 'g'));

/**
 * `s` with every credential-shaped part replaced by "[REDACTED]": for text that is not JSON (a
 * dead letter's bytes), where no field can be redacted whole. Bearer and Basic keep their word.
 */
export function redactText(s: string): string {
  if (!hasTelltale(s)) return s;
  let out = s.replace(BEARER, (m: string, token: string) => (looksLikeBearerToken(token) ? m.slice(0, m.length - token.length) + REDACTED : m));
  out = out.replace(BASIC, (m: string, b64: string) => (looksLikeBasicCredentials(b64) ? m.slice(0, m.length - b64.length) + REDACTED : m));
  for (const re of EVERYWHERE) out = out.replace(re, REDACTED);
  return out;
}

/** Kinds whose remedy is "send the token id": the emitter has a token and passed the token itself. */
export function isTokenKind(kind: string): boolean {
  return kind === 'JWT' || kind === 'bearer token' || kind === 'Basic credentials';
}

// Compared after lower-casing and dropping "-" and "_", so apiKey, api-key and API_KEY all count.
const CREDENTIAL_KEYS: ReadonlySet<string> = new Set([
  'authorization',
  'proxyauthorization',
  'password',
  'passwd',
  'secret',
  'clientsecret',
  'accesstoken',
  'refreshtoken',
  'idtoken',
  'apikey',
  'xapikey',
  'apitoken',
  'authtoken',
  'xauthtoken',
  'bearertoken',
  'sessiontoken',
  'securitytoken',
  'xamzsecuritytoken',
  'privatekey',
  'secretkey',
  'secretaccesskey',
  'awssecretaccesskey',
  'cookie',
  'setcookie',
]);

const DASH = 0x2d;
const UNDERSCORE = 0x5f | 0x20;

// First and last letter of every credential name, lower-cased (code | 0x20) and packed in one
// number: a gate that turns away most field names before any string work.
const CREDENTIAL_KEY_EDGES: ReadonlySet<number> = new Set(
  [...CREDENTIAL_KEYS].map((k) => ((k.charCodeAt(0) | 0x20) << 8) | (k.charCodeAt(k.length - 1) | 0x20)),
);

const MAX_CACHED_KEYS = 4096;
const keyCache = new Map<string, boolean>();

/** Whether a field of this name only ever holds a secret (authorization, password, api_key, ...). */
export function isCredentialKey(key: string): boolean {
  const n = key.length;
  if (n < 6 || n > 32) return false;
  const first = key.charCodeAt(0) | 0x20;
  const last = key.charCodeAt(n - 1) | 0x20;
  const separatorAtEdge = first === DASH || first === UNDERSCORE || last === DASH || last === UNDERSCORE;
  if (!separatorAtEdge && !CREDENTIAL_KEY_EDGES.has((first << 8) | last)) return false;
  const cached = keyCache.get(key);
  if (cached !== undefined) return cached;
  const result = CREDENTIAL_KEYS.has(key.toLowerCase().replace(/[-_]/g, ''));
  if (keyCache.size >= MAX_CACHED_KEYS) keyCache.clear();
  keyCache.set(key, result);
  return result;
}

// Already-redacted values ("[REDACTED]", "***") carry no secret, so a redacted event still decodes.
const PLACEHOLDER = /^(?:\*+|\[redacted\]|<redacted>|redacted)$/i;

/** Whether a string under a credential-named field is a real value (non-empty, not a redaction mark). */
export function isSecretValue(s: string): boolean {
  return s !== '' && !PLACEHOLDER.test(s);
}
