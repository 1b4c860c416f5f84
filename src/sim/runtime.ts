/*
 * One agent's moving parts while its traffic is generated: its random stream, its short-lived
 * tokens and sessions (a new token on every session start and every 1-8 h), and the builder that
 * turns an access into an AgentAccessEvent. Sub-objects are shared between events on purpose: a
 * run builds millions of events and they are only serialised.
 */
import type { AgentAccessEvent, Outcome } from '../events/types.js';
import { HOUR, type Calendar } from './clock.js';
import type { Rng } from './random.js';
import type { AgentSpec, Device, Operation, Pending, Place, Source } from './types.js';

export interface TokenRef {
  id: string;
  issuer: string;
  scopes: string[];
  [k: string]: unknown;
}

export interface Credential {
  /** When it was issued. */
  t: number;
  token: TokenRef;
  session: { id: string };
}

/** Share of events delivered a little late (retries, buffering in the emitter). */
const LATE_SHARE = 0.015;
const MAX_DELAY_MS = 4_000;
const DENIED_SHARE = 0.012;
const ERROR_SHARE = 0.004;

export interface Access {
  action: string;
  type: string;
  id: string;
  sensitivity: Operation['sensitivity'];
  bytes: number;
  records: number;
  outcome?: Outcome;
}

export class AgentRuntime {
  private seq = 0;
  private current: Credential | undefined;
  private expires = 0;
  /** Issued credentials, oldest first; attacks look up "the token in use at time T" here. */
  readonly issued: Credential[] = [];
  /** No interactive work before this instant (the person is on a plane). */
  busyUntil = Number.NEGATIVE_INFINITY;
  private readonly sources = new Map<string, Source>();
  private readonly agentRef: AgentAccessEvent['agent'];
  private readonly principalRef: AgentAccessEvent['principal'];

  constructor(
    readonly spec: AgentSpec,
    readonly rng: Rng,
    readonly cal: Calendar,
    private readonly idPrefix: string,
    /** Calendar days on which an attack needs the victim at work. */
    readonly attackDays: ReadonlySet<number>,
  ) {
    this.agentRef = { id: spec.id, name: spec.name, owner: spec.owner };
    this.principalRef = spec.principal ? { ...spec.principal } : undefined;
  }

  /** A new session, and with it a new token. */
  startSession(t: number): Credential {
    const session = { id: `ses-${this.rng.id(12)}` };
    return this.issue(t, session);
  }

  /** The credential in use at `t` (after the previous call's time), refreshing an expired token. */
  credentialAt(t: number): Credential {
    if (!this.current) return this.startSession(t);
    if (t >= this.expires) return this.issue(t, this.current.session);
    return this.current;
  }

  /** The credential most recently issued at or before `t`, for a thief holding a copy of it. */
  credentialBefore(t: number): Credential | undefined {
    let lo = 0;
    let hi = this.issued.length - 1;
    let found: Credential | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const c = this.issued[mid] as Credential;
      if (c.t <= t) {
        found = c;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** Drops credentials no attack can still ask about, so memory stays flat over long runs. */
  pruneIssued(before: number): void {
    let n = 0;
    while (n < this.issued.length - 1 && (this.issued[n + 1] as Credential).t < before) n++;
    if (n > 0) this.issued.splice(0, n);
  }

  private issue(t: number, session: { id: string }): Credential {
    const token: TokenRef = { id: `tok-${this.rng.id(16)}`, issuer: this.spec.issuer, scopes: this.spec.scopes };
    const c: Credential = { t, token, session };
    this.current = c;
    this.expires = t + this.rng.uniform(1, 8) * HOUR;
    this.issued.push(c);
    return c;
  }

  /** The event `source` for a place and device, shared by every event from that pair. */
  source(place: Place, device: Device | undefined): Source {
    const key = `${place.ip}|${device?.id ?? ''}`;
    let s = this.sources.get(key);
    if (!s) {
      s = { ip: place.ip, country: place.city.country, lat: place.city.lat, lon: place.city.lon, network: place.network };
      if (device) s.device = { id: device.id, managed: device.managed };
      this.sources.set(key, s);
    }
    return s;
  }

  /** The laptop in use on a calendar day. */
  laptopOn(day: number): Device {
    const swap = this.spec.newLaptop;
    return swap && day >= swap.day ? swap.device : this.spec.laptop;
  }

  /** Draws an access of this kind: a resource id from the agent's working set and a size. */
  access(o: Operation, volume: number): Access {
    const rng = this.rng;
    const bytes = o.bytesMedian === 0 ? 0 : Math.round(rng.logNormal(o.bytesMedian, o.bytesSigma) * volume);
    const records = o.records[0] === o.records[1] ? o.records[0] : rng.int(o.records[0], o.records[1]);
    const a: Access = { action: o.action, type: o.type, id: resourceId(o.type, rng.int(1, o.pool)), sensitivity: o.sensitivity, bytes, records };
    const r = rng.next();
    if (r < DENIED_SHARE) a.outcome = 'denied';
    else if (r < DENIED_SHARE + ERROR_SHARE) a.outcome = 'error';
    return a;
  }

  /** Builds one event; `labels` defaults to the agent's own. */
  event(t: number, a: Access, cred: Credential, source: Source | undefined, labels: Record<string, string> = this.spec.labels): Pending {
    const failed = a.outcome === 'denied' || a.outcome === 'error';
    const e: AgentAccessEvent = {
      id: `ev-${this.idPrefix}-${(this.seq++).toString(36)}`,
      time: new Date(t).toISOString(),
      agent: this.agentRef,
      token: cred.token,
      ...(this.principalRef ? { principal: this.principalRef } : {}),
      session: cred.session,
      action: a.action,
      resource: { type: a.type, id: a.id, sensitivity: a.sensitivity },
      volume: { bytes: failed ? 0 : a.bytes, records: failed ? 0 : a.records },
      ...(source ? { source } : {}),
      outcome: a.outcome ?? 'allowed',
      labels,
    };
    const late = this.rng.next() < LATE_SHARE;
    return { t, k: late ? t + 200 + Math.floor(this.rng.next() * MAX_DELAY_MS) : t, e };
  }
}

const PREFIX: Record<string, string> = {};

/** Resource ids read like the systems they come from: `crm-contact-48213`. */
export function resourceId(type: string, n: number): string {
  let p = PREFIX[type];
  if (p === undefined) {
    p = type.replace(/\./g, '-');
    PREFIX[type] = p;
  }
  return `${p}-${n}`;
}
