/*
 * The simulator's vocabulary: options, the populations of benign agents, the attack kinds, and the
 * per-agent specification that the roster builder fills in and the day generators read.
 */
import type { AgentAccessEvent, Sensitivity } from '../events/types.js';
import type { City } from './geo.js';

export type ProfileKind =
  | 'office_assistant'
  | 'crm_support'
  | 'heavy_data'
  | 'nightly_batch'
  | 'coding_agent'
  | 'weekly_cleanup'
  | 'traveler'
  | 'vpn_user'
  | 'evening_phone'
  | 'new_laptop'
  | 'oncall'
  | 'new_agent';

export const PROFILE_KINDS: readonly ProfileKind[] = [
  'office_assistant',
  'crm_support',
  'heavy_data',
  'nightly_batch',
  'coding_agent',
  'weekly_cleanup',
  'traveler',
  'vpn_user',
  'evening_phone',
  'new_laptop',
  'oncall',
  'new_agent',
];

export type AttackKind =
  | 'offhours_exfil'
  | 'delete_loop'
  | 'token_replay'
  | 'scrape_flood'
  | 'bulk_export'
  | 'svc_offschedule'
  | 'slow_exfil'
  | 'new_agent_stolen';

export const ATTACK_KINDS: readonly AttackKind[] = [
  'offhours_exfil',
  'delete_loop',
  'token_replay',
  'scrape_flood',
  'bulk_export',
  'svc_offschedule',
  'slow_exfil',
  'new_agent_stolen',
];

export interface SimOptions {
  days: number;
  seed: number;
  agents: number;
  /** Start date, UTC midnight in epoch ms. */
  startMs: number;
  /** Attack instances per kind; default scales with agents x days. */
  attacksPerKind?: number;
  /** Multiplies how busy interactive agents are (1 = realistic; lower makes small samples). */
  activity?: number;
}

/** The `source` object of an event, built once per place and device and shared by its events. */
export interface Source {
  ip: string;
  country: string;
  lat: number;
  lon: number;
  network: string;
  device?: { id: string; managed: boolean };
  [k: string]: unknown;
}

/** Where an agent's traffic comes from, before a device is attached. */
export interface Place {
  ip: string;
  city: City;
  network: string;
}

export interface Device {
  id: string;
  managed: boolean;
}

export interface Trip {
  dest: City;
  /** Calendar day the person flies out, after the morning's work (home zone). */
  departDay: number;
  departHour: number;
  /** Calendar day the person flies back, after the morning's work (destination zone). */
  returnDay: number;
  returnHour: number;
  /** Work from the local office on this trip (else from the hotel). */
  office: Place | undefined;
  hotel: Place;
}

/** One kind of access an agent makes, with how much data it usually moves. */
export interface Operation {
  action: string;
  type: string;
  sensitivity: Sensitivity;
  /** Distinct resource ids of this type the agent touches. */
  pool: number;
  bytesMedian: number;
  bytesSigma: number;
  records: [number, number];
  weight: number;
}

export type Role = 'office' | 'crm' | 'heavy' | 'coding' | 'ops' | 'batch' | 'cleanup' | 'phone';

export interface AgentSpec {
  index: number;
  id: string;
  name: string;
  owner: string;
  profile: ProfileKind;
  role: Role;
  principal: { id: string; tenant: string; timezone: string } | undefined;
  home: City;
  /** The zone its schedule follows: the person's, or the datacenter's for service accounts. */
  zone: string;
  /** Calendar day the agent first acts (new agents appear mid-run). */
  firstDay: number;
  issuer: string;
  scopes: string[];
  labels: Record<string, string>;
  /** Every country this agent's legitimate traffic will ever come from. */
  countries: Set<string>;
  office: Place;
  homePlace: Place;
  vpn: Place | undefined;
  datacenter: Place | undefined;
  laptop: Device;
  /** A replacement laptop from `day` on. */
  newLaptop: { day: number; device: Device } | undefined;
  phone: { device: Device; place: Place; fromDay: number; share: number } | undefined;
  trips: Trip[];
  /** Share of working days spent at home instead of the office (or on the VPN for vpn users). */
  remoteShare: number;
  workStart: number;
  workHours: number;
  /** Accesses per active working hour. */
  activity: number;
  /** The run's activity multiplier, applied to evening and night sessions too. */
  busyness: number;
  /** Multiplies bytes per access. */
  volume: number;
  /** Expected bytes per active working day, for attacks that scale with "normal". */
  typicalDailyBytes: number;
  batch: { hour: number; weekdaysOnly: boolean; healthcheck: boolean } | undefined;
  cleanup: { weekday: number; hour: number; items: [number, number] } | undefined;
  /** Share of nights an on-call person is paged. */
  oncallNights: number;
}

/** A generated event with its event time and its arrival position (time plus delivery delay). */
export interface Pending {
  t: number;
  k: number;
  e: AgentAccessEvent;
}

export interface AttackInstance {
  id: string;
  kind: AttackKind;
  agentIndex: number;
  day: number;
  /** A draw in [0, 1) that the generator turns into the instance's own sizes and timing. */
  seed: number;
  /** For bulk_export: whether the victim is a heavy data agent. */
  heavy: boolean;
}

export interface SimPlan {
  options: SimOptions;
  agents: AgentSpec[];
  attacks: AttackInstance[];
}

export interface SimSummary {
  events: number;
  agents: number;
  attacks: Record<AttackKind, number>;
  attackEvents: number;
  profiles: Record<string, number>;
}
