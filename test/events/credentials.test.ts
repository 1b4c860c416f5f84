import { describe, expect, it } from 'vitest';
import { decodeEvent, decodeEventObject, redactCredentials, type DecodeResult } from '../../src/events/index.js';
import { hasTelltale } from '../../src/events/credential-patterns.js';
import { fakes, full, minimal, withFields } from './fixtures.js';

function reasonOf(r: DecodeResult): string {
  if (r.ok) throw new Error('expected the event to be rejected');
  return r.reason;
}

const TOKEN_REMEDY = 'send the token id (jti), never the token';
const SECRET_REMEDY = 'events must never carry secrets';

// [case, patch, the secret it carries, exact reason]
const rejected: [string, Record<string, unknown>, string, string][] = [
  ['JWT as token.id', { token: { id: fakes.jwt } }, fakes.jwt, `token.id: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['JWT in a label', { labels: { auth: fakes.jwt } }, fakes.jwt, `labels.auth: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['JWT inside a URL', { resource: { id: `https://api.example.com/x?access=${fakes.jwt}` } }, fakes.jwt, `resource.id: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['JWT deep in an unknown field', { tool: { calls: [{ args: { hdr: fakes.jwt } }] } }, fakes.jwt, `tool.calls[0].args.hdr: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['Bearer JWT header', { request: { headers: { auth: `Bearer ${fakes.jwt}` } } }, fakes.jwt, `request.headers.auth: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['opaque Bearer value', { labels: { h: fakes.opaqueBearer } }, fakes.opaqueBearer, `labels.h: looks like a raw credential (bearer token); ${TOKEN_REMEDY}`],
  ['Basic credentials', { extra: fakes.basicAuth }, fakes.basicAuth, `extra: looks like a raw credential (Basic credentials); ${TOKEN_REMEDY}`],
  ['AWS access key id', { labels: { key: fakes.awsKeyId } }, fakes.awsKeyId, `labels.key: looks like a raw credential (AWS access key id); ${SECRET_REMEDY}`],
  ['GitHub token', { token: { issuer: fakes.githubToken } }, fakes.githubToken, `token.issuer: looks like a raw credential (GitHub token); ${SECRET_REMEDY}`],
  ['GitHub fine-grained token', { notes: [fakes.githubPat] }, fakes.githubPat, `notes[0]: looks like a raw credential (GitHub token); ${SECRET_REMEDY}`],
  ['Slack token', { labels: { slack: fakes.slackToken } }, fakes.slackToken, `labels.slack: looks like a raw credential (Slack token); ${SECRET_REMEDY}`],
  ['OpenAI-style key', { agent: { config: fakes.openAiKey } }, fakes.openAiKey, `agent.config: looks like a raw credential (secret API key); ${SECRET_REMEDY}`],
  ['GitLab token', { labels: { ci: fakes.gitlabToken } }, fakes.gitlabToken, `labels.ci: looks like a raw credential (GitLab token); ${SECRET_REMEDY}`],
  ['Google API key', { labels: { maps: fakes.googleKey } }, fakes.googleKey, `labels.maps: looks like a raw credential (Google API key); ${SECRET_REMEDY}`],
  ['private key', { attachment: fakes.pemHeader }, fakes.pemHeader, `attachment: looks like a raw credential (private key); ${SECRET_REMEDY}`],
  ['password field', { labels: { password: 'hunter2hunter2' } }, 'hunter2hunter2', `labels.password: looks like a raw credential (a field named password); ${SECRET_REMEDY}`],
  ['short password', { login: { Password: 'pw' } }, 'pw', `login.Password: looks like a raw credential (a field named password); ${SECRET_REMEDY}`],
  ['Authorization header', { request: { headers: { Authorization: 'Token abc' } } }, 'Token abc', `request.headers.Authorization: looks like a raw credential (a field named authorization); ${SECRET_REMEDY}`],
  ['client_secret', { oauth: { client_secret: 'shh-its-a-secret' } }, 'shh-its-a-secret', `oauth.client_secret: looks like a raw credential (a field named client_secret); ${SECRET_REMEDY}`],
  ['access_token', { access_token: 'opaque.value.1' }, 'opaque.value.1', `access_token: looks like a raw credential (a field named access_token); ${SECRET_REMEDY}`],
  ['refreshToken (camel case)', { session: { refreshToken: 'rt-0192837465' } }, 'rt-0192837465', `session.refreshToken: looks like a raw credential (a field named refreshtoken); ${SECRET_REMEDY}`],
  ['id_token', { id_token: 'abc.def' }, 'abc.def', `id_token: looks like a raw credential (a field named id_token); ${SECRET_REMEDY}`],
  ['api-key', { labels: { 'api-key': 'k-5566778899' } }, 'k-5566778899', `labels.api-key: looks like a raw credential (a field named api-key); ${SECRET_REMEDY}`],
  ['X-API-Key', { headers: { 'X-API-Key': 'k-5566778899' } }, 'k-5566778899', `headers.X-API-Key: looks like a raw credential (a field named x-api-key); ${SECRET_REMEDY}`],
  ['apikey', { apikey: 'k-5566778899' }, 'k-5566778899', `apikey: looks like a raw credential (a field named apikey); ${SECRET_REMEDY}`],
  ['passwd', { db: { passwd: 'letmein99' } }, 'letmein99', `db.passwd: looks like a raw credential (a field named passwd); ${SECRET_REMEDY}`],
  ['secret', { secret: 'x' }, 'x', `secret: looks like a raw credential (a field named secret); ${SECRET_REMEDY}`],
  ['cookie list', { headers: { cookie: ['a=1', 'sid=s3ss10n'] } }, 'sid=s3ss10n', `headers.cookie[0]: looks like a raw credential (a field named cookie); ${SECRET_REMEDY}`],
  ['Set-Cookie', { response: { 'Set-Cookie': 'sid=s3ss10n; HttpOnly' } }, 'sid=s3ss10n; HttpOnly', `response.Set-Cookie: looks like a raw credential (a field named set-cookie); ${SECRET_REMEDY}`],
  ['a Bearer token after prose that says Bearer', { labels: { h: 'WWW-Authenticate: Bearer realm=api; Authorization: Bearer 4f9a8b7c6d5e4f3a2b1c' } }, '4f9a8b7c6d5e4f3a2b1c', `labels.h: looks like a raw credential (bearer token); ${TOKEN_REMEDY}`],
  ['Basic credentials after prose that says basic', { labels: { note: `plan=basic tier Authorization: Basic ${Buffer.from('admin:hunter2').toString('base64')}` } }, Buffer.from('admin:hunter2').toString('base64'), `labels.note: looks like a raw credential (Basic credentials); ${TOKEN_REMEDY}`],
  ['JWT after an underscore', { token: { id: `tok_${fakes.jwt}` } }, fakes.jwt, `token.id: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['aws_secret_access_key', { aws: { aws_secret_access_key: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY' } }, 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY', `aws.aws_secret_access_key: looks like a raw credential (a field named aws_secret_access_key); ${SECRET_REMEDY}`],
  ['api_token', { labels: { api_token: '9c1f0e2d3b4a5968' } }, '9c1f0e2d3b4a5968', `labels.api_token: looks like a raw credential (a field named api_token); ${SECRET_REMEDY}`],
  ['X-Auth-Token', { headers: { 'X-Auth-Token': 'opaque-7788' } }, 'opaque-7788', `headers.X-Auth-Token: looks like a raw credential (a field named x-auth-token); ${SECRET_REMEDY}`],
  ['sessionToken', { creds: { sessionToken: 'FwoGZXIvYXdzEXAMPLE' } }, 'FwoGZXIvYXdzEXAMPLE', `creds.sessionToken: looks like a raw credential (a field named sessiontoken); ${SECRET_REMEDY}`],
  ['private_key', { sa: { private_key: 'MIIEvQIBADANBgkqhkiG9w0B' } }, 'MIIEvQIBADANBgkqhkiG9w0B', `sa.private_key: looks like a raw credential (a field named private_key); ${SECRET_REMEDY}`],
  ['JWT as a field name', { labels: { [fakes.jwt]: 'x' } }, fakes.jwt, `labels: a field name: looks like a raw credential (JWT); ${TOKEN_REMEDY}`],
  ['AWS key as a top-level field name', { [fakes.awsKeyId]: 1 }, fakes.awsKeyId, `the event: a field name: looks like a raw credential (AWS access key id); ${SECRET_REMEDY}`],
];

// Long enough to identify a secret; reasons may show at most a few characters of one.
function windows(secret: string, size = 8): string[] {
  const out: string[] = [];
  for (let i = 0; i + size <= secret.length; i++) out.push(secret.slice(i, i + size));
  return out;
}

describe('raw credentials are never accepted', () => {
  it.each(rejected)('%s', (_name, patch, _secret, reason) => {
    const event = withFields(full(), patch);
    expect(reasonOf(decodeEventObject(event))).toBe(reason);
    expect(reasonOf(decodeEvent(JSON.stringify(event)))).toBe(reason);
  });

  it('never echoes the secret in the reason', () => {
    for (const [name, patch, secret] of rejected) {
      const reason = reasonOf(decodeEvent(JSON.stringify(withFields(full(), patch))));
      for (const w of windows(secret)) expect(reason, name).not.toContain(w);
      expect(reason, name).not.toContain(JSON.stringify(secret));
    }
  });

  it('never echoes a secret that broke the JSON either', () => {
    const reason = reasonOf(decodeEvent(`{"id": "evt-1", "auth": Bearer ${fakes.jwt}}`));
    expect(reason).toBe('not valid JSON: Unexpected token B at position 24');
    for (const w of windows(fakes.jwt)) expect(reason).not.toContain(w);
  });

  it('finds a credential spelled with JSON escapes, which the one scan of the raw text cannot see', () => {
    // The text shows no telltale ("eyJ" written \u0065yJ, "Bearer" written B\u0065arer); the values do.
    const escapeE = (text: string, word: string) => text.replaceAll(word, word.replace('e', '\\u0065'));
    const jwtText = escapeE(JSON.stringify(withFields(full(), { labels: { auth: fakes.jwt } })), 'eyJ');
    expect(jwtText).not.toContain('eyJ');
    expect(reasonOf(decodeEvent(jwtText))).toBe(`labels.auth: looks like a raw credential (JWT); ${TOKEN_REMEDY}`);
    const bearerText = escapeE(JSON.stringify(withFields(full(), { labels: { hdr: 'Bearer abcDEF123456789' } })), 'Bearer');
    expect(bearerText).not.toMatch(/bearer/i);
    expect(reasonOf(decodeEvent(bearerText))).toBe(`labels.hdr: looks like a raw credential (bearer token); ${TOKEN_REMEDY}`);
  });

  it('gates on the text in any letter case for bearer and basic, as the exact patterns do', () => {
    for (const hdr of ['BEARER abcDEF123456789', 'bEaReR abcDEF123456789']) {
      const text = JSON.stringify(withFields(full(), { labels: { hdr } }));
      expect(reasonOf(decodeEvent(text))).toBe(`labels.hdr: looks like a raw credential (bearer token); ${TOKEN_REMEDY}`);
    }
    const basic = JSON.stringify(withFields(full(), { labels: { hdr: `BASIC ${Buffer.from('user:pass').toString('base64')}` } }));
    expect(reasonOf(decodeEvent(basic))).toBe(`labels.hdr: looks like a raw credential (Basic credentials); ${TOKEN_REMEDY}`);
  });

  it('reports the credential even when the event is also malformed', () => {
    const event = withFields(minimal(), { agent: undefined, labels: { auth: fakes.jwt } });
    expect(reasonOf(decodeEventObject(event))).toBe(`labels.auth: looks like a raw credential (JWT); ${TOKEN_REMEDY}`);
  });
});

describe('ids and ordinary words are not credentials', () => {
  const accepted: [string, Record<string, unknown>][] = [
    ['UUID token id', { token: { id: '5f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b' } }],
    ['short token handle', { token: { id: 'tok-123' } }],
    ['opaque token id', { token: { id: 'AbC123xyz987QWErty456' } }],
    ['jti-like id', { token: { id: 'jti_01HF8Z3YQ9K2M4N6P8R0T2V4X6' } }],
    ['a field named token holding a string label', { labels: { token: 'tok-123' } }],
    ['prose mentioning bearer', { labels: { note: 'Bearer authentication was refused' } }],
    ['prose mentioning basic', { labels: { note: 'Basic information about the account' } }],
    ['Basic followed by base64 without a colon', { labels: { note: `Basic ${Buffer.from('helloworldhello').toString('base64')}` } }],
    ['words containing sk-', { labels: { job: 'task-0123456789abcdefghijk' } }],
    ['disk id', { resource: { id: 'disk-0a1b2c3d4e5f6a7b8c9d' } }],
    ['lower-case AKIA-like word', { labels: { x: 'akiaiosfodnn7example' } }],
    ['eye-something', { resource: { type: 'eyJewellery.catalogue' } }],
    ['ghp_ in a short doc path', { resource: { id: 'https://example.com/ghp_docs' } }],
    ['a sha256 digest', { resource: { id: 'sha256:9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08' } }],
    ['resource type named secret', { resource: { type: 'vault.secret' } }],
    ['empty password field', { login: { password: '' } }],
    ['redacted password field', { login: { password: '[REDACTED]', secret: '****' } }],
    ['boolean secret flag', { labels: undefined, secret: true }],
    ['fields that merely contain credential words', { password_policy: 'strong', secretary: 'Ann', cookies_enabled: 'yes', tokens: 'many' }],
    ['the token object', { token: { id: 't-9', issuer: 'https://idp.example.com', scopes: ['crm.read'] } }],
    ['prose saying bearer and basic twice', { labels: { note: 'Bearer auth or basic auth; the bearer realm is basic' } }],
    ['names near the credential ones', { token_type: 'Bearer', key_id: 'k-1', private_keys_rotated: 'yes', session_token_ttl: '1h' }],
  ];
  it.each(accepted)('%s', (_name, patch) => {
    const r = decodeEvent(JSON.stringify(withFields(full(), patch)));
    expect(r.ok ? 'ok' : r.reason).toBe('ok');
  });
});

describe('redactCredentials', () => {
  it('returns a deep copy with every credential replaced', () => {
    const input = {
      token: { id: 't-9', raw: fakes.jwt },
      headers: { Authorization: fakes.opaqueBearer, 'X-Request-Id': 'req-1' },
      nested: [{ aws: fakes.awsKeyId }, 'plain'],
      login: { password: 'hunter2', user: 'ann' },
      [fakes.githubToken]: 'value under a secret key',
      count: 3,
    };
    const out = redactCredentials(input);
    expect(out).toEqual({
      token: { id: 't-9', raw: '[REDACTED]' },
      headers: { Authorization: '[REDACTED]', 'X-Request-Id': 'req-1' },
      nested: [{ aws: '[REDACTED]' }, 'plain'],
      login: { password: '[REDACTED]', user: 'ann' },
      '[REDACTED]': 'value under a secret key',
      count: 3,
    });
    expect(input.token.raw).toBe(fakes.jwt);
    expect(out.token).not.toBe(input.token);
  });

  it('redacts error messages and survives cycles', () => {
    const cyclic: Record<string, unknown> = { err: new Error(`upstream said ${fakes.jwt}`) };
    cyclic.self = cyclic;
    const out = redactCredentials(cyclic);
    expect(out.self).toBe('[Circular]');
    expect(out.err).toMatchObject({ name: 'Error', message: '[REDACTED]' });
    expect(JSON.stringify(out)).not.toContain(fakes.jwt.slice(0, 20));
  });

  it('makes a rejected event decodable', () => {
    const event = withFields(full(), { labels: { auth: fakes.jwt }, login: { password: 'pw' } });
    expect(decodeEventObject(event).ok).toBe(false);
    expect(decodeEventObject(redactCredentials(event)).ok).toBe(true);
  });
});

describe('the telltale gate in front of the exact patterns', () => {
  const telltales = ['eyJ', 'bearer', 'BEARER', 'BeArEr', 'basic', 'Basic', 'bASIC', 'AKIA', 'ASIA', 'AIza', 'ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'github_pat_', 'glpat-', 'xoxa-', 'xoxb-', 'xoxp-', 'xoxr-', 'xoxs-', 'sk-', 'sk_', 'rk-', 'rk_', '-----BEGIN'];
  it.each(telltales)('opens for %s anywhere in a string', (t) => {
    expect(hasTelltale(`abc${t}def`)).toBe(true);
  });

  it('stays shut for the near misses and for time zones', () => {
    for (const near of ['Asia/Tokyo', 'ey', 'Bear', 'basi', 'AKI', 'ASI', 'AIz', 'gh_', 'ghx_', 'github_', 'glpat', 'xoxc-', 'sk', 'tk-', '----BEGIN']) {
      expect(hasTelltale(near), near).toBe(false);
    }
  });

  it('sees through JSON escapes: the decoded string is what is tested', () => {
    const text = JSON.stringify({ ...full(), labels: { x: fakes.jwt } }).replaceAll('eyJ', '\\u0065yJ');
    expect(text).not.toContain('eyJ');
    expect(decodeEvent(text)).toMatchObject({ ok: false, reason: expect.stringContaining('raw credential (JWT)') });
  });
});
