/*
 * Time-of-day decisions: outside the allowed weekly spans, or rare for the group's own learned
 * hour-of-week profile. Once the profile holds enough events it decides; before that (cold start)
 * the static spans do, so a brand-new agent is judged by policy and a night-shift agent by habit.
 */
import type { AllowedSpan, TimeOfDayRule } from '../rules/types.js';
import type { ProfileObservation } from '../state/types.js';
import { round } from './format.js';
import { formatLocal, type LocalTime } from './localtime.js';
import type { Hit } from './types.js';

export function isAllowed(spans: readonly AllowedSpan[], t: LocalTime): boolean {
  const m = t.hour * 60 + t.minute;
  return spans.some((s) => {
    if (s.fromMinute <= s.toMinute) return s.days.includes(t.day) && m >= s.fromMinute && m < s.toMinute;
    // A span past midnight belongs to the day it starts on.
    if (m >= s.fromMinute) return s.days.includes(t.day);
    return m < s.toMinute && s.days.includes((t.day + 6) % 7);
  });
}

export function evaluateTimeOfDay(
  rule: TimeOfDayRule,
  timeMs: number,
  zone: string,
  local: LocalTime,
  profile: ProfileObservation | undefined,
): Hit | undefined {
  // The common case, allowed activity, builds no text: the hot path formats only what fires.
  const learned = rule.learned;
  if (learned && profile && profile.total >= learned.minEvents) {
    const share = profile.nearHour / profile.total;
    if (share >= learned.rareBelow) return undefined;
    const at = `${formatLocal(local)} ${zone}`;
    return {
      reason: `activity at ${at} is rare for this subject (${round(share * 100, 2)}% of ${profile.total} events in its profile are within an hour of this time)`,
      evidence: { localTime: formatLocal(local), timezone: zone, profile: { events: profile.total, nearHour: profile.nearHour, share: round(share, 4), rareBelow: learned.rareBelow } },
      windowStartMs: timeMs - learned.historyMs,
    };
  }
  if (!rule.allow || isAllowed(rule.allow, local)) return undefined;
  const at = `${formatLocal(local)} ${zone}`;
  return {
    reason: `activity at ${at} is outside the allowed hours${profile ? ` (profile not yet trusted: ${profile.total} events)` : ''}`,
    evidence: { localTime: formatLocal(local), timezone: zone, allowed: false, ...(profile ? { profile: { events: profile.total } } : {}) },
    windowStartMs: timeMs,
  };
}
