/* Events for the decoder tests: a minimal valid event, a full one, and fake credentials built at run time. */

export function minimal(): Record<string, unknown> {
  return {
    id: 'evt-1',
    time: '2026-10-20T07:07:12Z',
    agent: { id: 'a-1' },
    token: { id: 't-9' },
    action: 'read',
    resource: { type: 'crm.contact' },
  };
}

export function full(): Record<string, unknown> {
  return {
    id: 'evt-2',
    time: '2026-10-20T09:07:12.345+02:00',
    agent: { id: 'agent-crm-sync-7', name: 'CRM sync', owner: 'team-sales-ops' },
    token: { id: '5f1c2d3e-4b5a-6978-8a9b-0c1d2e3f4a5b', issuer: 'https://idp.example.com', scopes: ['crm.read', 'crm.export'] },
    principal: { id: 'u-7', tenant: 'acme', timezone: 'Europe/Berlin' },
    session: { id: 'sess-91c2a7' },
    action: 'download',
    resource: { type: 'crm.contact', id: 'contact-42', sensitivity: 'confidential' },
    volume: { bytes: 482133, records: 120 },
    source: {
      ip: '2001:db8::1',
      country: 'DE',
      lat: 52.52,
      lon: 13.405,
      network: 'corporate',
      device: { id: 'dev-0042', managed: true },
    },
    outcome: 'allowed',
    labels: { env: 'prod', team: 'sales' },
  };
}

/** Deep-merge `patch` into a copy of `base`; `undefined` deletes a field. */
export function withFields(base: Record<string, unknown>, patch: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(patch)) {
    const cur = out[k];
    if (v === undefined) delete out[k];
    else if (isPlain(v) && isPlain(cur)) out[k] = withFields(cur, v);
    else out[k] = v;
  }
  return out;
}

function isPlain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

const b64url = (s: string) => Buffer.from(s).toString('base64url');

// Assembled at run time so no credential-shaped literal sits in the repository for scanners to flag.
export const fakes = {
  jwt: `${b64url('{"alg":"HS256","typ":"JWT"}')}.${b64url('{"sub":"u-7","jti":"t-9"}')}.${'Sig0'.repeat(10)}`,
  awsKeyId: ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join(''),
  githubToken: ['ghp', '_', 'a1B2c3D4'.repeat(4), 'e5F6'].join(''),
  githubPat: ['github', '_pat_', '11ABCDEFG0', 'x'.repeat(40)].join(''),
  slackToken: ['xox', 'b-', '1234567890-0987654321-', 'AbCdEfGhIjKlMnOpQrStUvWx'].join(''),
  openAiKey: ['sk', '-proj-', 'Ab12Cd34Ef56Gh78Ij90Kl12Mn34'].join(''),
  gitlabToken: ['gl', 'pat-', 'xYz12345AbCdE6789fGhI'].join(''),
  googleKey: ['AI', 'za', 'SyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q'].join(''),
  pemHeader: ['-----BEGIN ', 'RSA PRIVATE KEY-----', '\nMIIEowIBAAKCAQEA0Z3VS5JJcds3xfn/ygWyF8PbnGy'].join(''),
  opaqueBearer: ['Bearer ', '8f3a9c2e7b1d4f6a0c5e9b2d7f1a3c8e'].join(''),
  basicAuth: `Basic ${Buffer.from('svc-backup:correct-horse-battery').toString('base64')}`,
};
