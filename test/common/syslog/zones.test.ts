/**
 * The zone names read after Cisco/NX-OS timestamps (src/common/syslog/zones.ts), checked against
 * the IANA tz database as node's ICU has it, not against our own table: each name's offset is the
 * one a zone that uses that name has on a date when it is in use.
 */
import { describe, expect, it } from 'vitest';
import { ZONE_OFFSET_MINUTES } from '../../../src/common/syslog/zones.js';

const WINTER = Date.UTC(2026, 0, 15, 12);
const SUMMER = Date.UTC(2026, 6, 15, 12);
/** A tz zone and an instant at which it uses each name. */
const WHERE: Readonly<Record<string, readonly [string, number]>> = {
  UTC: ['UTC', WINTER],
  GMT: ['Etc/GMT', WINTER],
  UT: ['UTC', WINTER],
  Z: ['UTC', WINTER],
  WET: ['Europe/Lisbon', WINTER],
  WEST: ['Europe/Lisbon', SUMMER],
  CET: ['Europe/Berlin', WINTER],
  CEST: ['Europe/Berlin', SUMMER],
  MET: ['MET', WINTER],
  MEST: ['MET', SUMMER],
  EET: ['Europe/Athens', WINTER],
  EEST: ['Europe/Athens', SUMMER],
  MSK: ['Europe/Moscow', WINTER],
  EST: ['America/New_York', WINTER],
  EDT: ['America/New_York', SUMMER],
  CDT: ['America/Chicago', SUMMER],
  MST: ['America/Denver', WINTER],
  MDT: ['America/Denver', SUMMER],
  PST: ['America/Los_Angeles', WINTER],
  PDT: ['America/Los_Angeles', SUMMER],
  AKST: ['America/Anchorage', WINTER],
  AKDT: ['America/Anchorage', SUMMER],
  HST: ['Pacific/Honolulu', WINTER],
  JST: ['Asia/Tokyo', WINTER],
  KST: ['Asia/Seoul', WINTER],
  AEST: ['Australia/Sydney', SUMMER],
  AEDT: ['Australia/Sydney', WINTER],
  ACST: ['Australia/Darwin', WINTER],
  AWST: ['Australia/Perth', WINTER],
  NZST: ['Pacific/Auckland', SUMMER],
  NZDT: ['Pacific/Auckland', WINTER],
};

/** Minutes east of UTC of `zone` at `instant`, from ICU's "GMT+5:30"-style name. */
function tzOffset(zone: string, instant: number): number {
  const name = new Intl.DateTimeFormat('en-US', { timeZone: zone, timeZoneName: 'longOffset' })
    .formatToParts(instant)
    .find((part) => part.type === 'timeZoneName')!.value;
  const m = /^GMT(?:([+-])(\d\d):(\d\d))?$/.exec(name)!;
  return m[1] === undefined ? 0 : (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3]));
}

describe('zone names after a timestamp', () => {
  it('every name has a tz zone to check it against', () => expect(Object.keys(WHERE).sort()).toEqual([...ZONE_OFFSET_MINUTES.keys()].sort()));

  it.each([...ZONE_OFFSET_MINUTES])('%s is %i minutes east of UTC in the tz database', (name, offset) => {
    const [zone, instant] = WHERE[name]!;
    expect(tzOffset(zone, instant)).toBe(offset);
  });
});
