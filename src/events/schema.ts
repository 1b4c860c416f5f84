/*
 * The one definition of AgentAccessEvent v1's structure (shared DESIGN.md). The published JSON
 * Schema and the runtime validator are both generated from it, so what we document is what we
 * enforce. Unknown fields are allowed everywhere: rules may match them.
 */
import { Type, type Static } from '@sinclair/typebox';
import type { Outcome, Sensitivity } from './types.js';

export const SENSITIVITIES: readonly Sensitivity[] = ['public', 'internal', 'confidential', 'restricted'];
export const OUTCOMES: readonly Outcome[] = ['allowed', 'denied', 'error'];

// Plain `enum` rather than TypeBox's union of literals: a union becomes `anyOf`, whose errors
// cannot be turned into one clear sentence.
const oneOf = <T extends string>(values: readonly T[], description: string) =>
  Type.Unsafe<T>({ type: 'string', enum: [...values], description });

// Required identifiers must be non-empty: an empty agent.id cannot key a Kafka message or a window.
const id = (description: string) => Type.String({ minLength: 1, description });

/**
 * The longest subject identifier (agent, token, principal, session). They key Kafka
 * messages and state, and each detection, revocation and quarantine repeats them: an id of
 * hundreds of kilobytes made messages the broker refuses, and the partition behind them stalled.
 * 1024 leaves room for any real id (a SPIFFE id, an ARN, an e-mail address).
 */
export const MAX_ID_LENGTH = 1024;
const subjectId = (description: string) => Type.String({ minLength: 1, maxLength: MAX_ID_LENGTH, description });

export const EventSchema = Type.Object(
  {
    id: Type.String({ minLength: 1, maxLength: 128, description: 'Unique per event; the dedup key (a redelivery must not count twice).' }),
    time: Type.String({ format: 'date-time', description: 'RFC 3339 timestamp with Z or an offset: when the access happened (event time).' }),
    agent: Type.Object(
      {
        id: subjectId('The agent; also the Kafka message key.'),
        name: Type.Optional(Type.String({ description: 'Display only.' })),
        owner: Type.Optional(Type.String({ description: 'Display only.' })),
      },
      { description: 'The AI agent that made the access.' },
    ),
    token: Type.Object(
      {
        id: subjectId("The token's identifier (jti or handle). Never the raw token: an event carrying a bearer token or JWT anywhere is rejected."),
        issuer: Type.Optional(Type.String({ description: 'Who issued the token.' })),
        scopes: Type.Optional(Type.Array(Type.String(), { description: 'Scopes granted to the token.' })),
      },
      { description: 'The short-lived token the agent used.' },
    ),
    principal: Type.Optional(
      Type.Object(
        {
          id: Type.Optional(Type.String({ maxLength: MAX_ID_LENGTH, description: 'The human the agent acts for.' })),
          tenant: Type.Optional(Type.String({ description: "The principal's tenant." })),
          timezone: Type.Optional(Type.String({ description: 'IANA time zone (e.g. Europe/Berlin); drives time-of-day rules.' })),
        },
        { description: 'The human the agent acts for; absent means a service account (application-wide access).' },
      ),
    ),
    session: Type.Optional(
      Type.Object({ id: Type.Optional(Type.String({ maxLength: MAX_ID_LENGTH, description: 'Session identifier.' })) }, { description: 'The agent session.' }),
    ),
    action: id('read, list, write, delete, download, export, admin, or another verb.'),
    resource: Type.Object(
      {
        type: id('Kind of resource, e.g. crm.contact, payroll.record.'),
        id: Type.Optional(Type.String({ description: 'The resource accessed.' })),
        sensitivity: Type.Optional(oneOf(SENSITIVITIES, 'Data classification of the resource.')),
      },
      { description: 'What was accessed.' },
    ),
    volume: Type.Optional(
      Type.Object(
        {
          bytes: Type.Optional(Type.Number({ minimum: 0, description: 'Bytes moved by this access.' })),
          records: Type.Optional(Type.Integer({ minimum: 0, description: 'Records moved by this access.' })),
        },
        { description: 'Data moved by this access.' },
      ),
    ),
    source: Type.Optional(
      Type.Object(
        {
          ip: Type.Optional(Type.String({ description: 'IPv4 or IPv6 address the access came from.' })),
          country: Type.Optional(Type.String({ pattern: '^[A-Z]{2}$', description: 'ISO 3166-1 alpha-2 country code, upper case.' })),
          lat: Type.Optional(Type.Number({ minimum: -90, maximum: 90, description: 'Latitude in degrees.' })),
          lon: Type.Optional(Type.Number({ minimum: -180, maximum: 180, description: 'Longitude in degrees.' })),
          network: Type.Optional(Type.String({ description: 'corporate, vpn, public, ...' })),
          device: Type.Optional(
            Type.Object(
              {
                id: Type.Optional(Type.String({ description: 'Device identifier.' })),
                managed: Type.Optional(Type.Boolean({ description: 'Whether the device is managed (trusted).' })),
              },
              { description: 'The device the access came from.' },
            ),
          ),
        },
        { description: 'Where the access came from. Geo fields when the emitter knows them.' },
      ),
    ),
    outcome: Type.Optional(oneOf(OUTCOMES, 'Whether the access was allowed.')),
    labels: Type.Optional(
      Type.Unsafe<Record<string, string>>({
        type: 'object',
        additionalProperties: { type: 'string' },
        description: 'Free-form string labels, usable in rule filters.',
      }),
    ),
  },
  { description: 'One access made by an AI agent on behalf of a principal. Unknown fields are kept and may be matched by rules.' },
);

export type EventShape = Static<typeof EventSchema>;

/** The published JSON Schema (draft-07): the TypeBox definition without TypeBox's symbols. */
export const eventJsonSchema: Readonly<Record<string, unknown>> = Object.freeze({
  $schema: 'http://json-schema.org/draft-07/schema#',
  $id: 'urn:guardrail:schema:agent-access-event:v1',
  title: 'AgentAccessEvent v1',
  ...(JSON.parse(JSON.stringify(EventSchema)) as Record<string, unknown>),
});
