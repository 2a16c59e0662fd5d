/** Parsing received syslog: the RFCs' own examples, the pfSense form, year inference, raw fallback. */
import { describe, expect, it } from 'vitest';
import { formatRfc3164, formatRfc5424, FACILITIES, SEVERITIES } from '../../../src/common/syslog/format.js';
import { parseSyslog } from '../../../src/common/syslog/parse.js';
import { inferYear, localTime, localYear } from '../../../src/common/syslog/year.js';

const received = Date.UTC(2026, 10, 23, 12, 0, 0);
// A reference is the receive time of the line (live), as the daemon passes it.
const parse = (text: string, reference?: number) => parseSyslog(text, { receivedAt: reference ?? received, source: '192.0.2.7:51514' });

describe('RFC 5424 (§6.5 examples)', () => {
  it('example 1: no structured data, BOM before the message', () => {
    expect(parse("<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - \ufeff'su root' failed for lonvick on /dev/pts/8")).toMatchObject({
      format: 'rfc5424',
      facility: 4,
      severity: 2,
      eventTime: Date.UTC(2003, 9, 11, 22, 14, 15, 3),
      host: 'mymachine.example.com',
      app: 'su',
      procId: '',
      msgId: 'ID47',
      structuredData: {},
      message: "'su root' failed for lonvick on /dev/pts/8",
    });
  });

  it('example 2: offset and microseconds, no MSGID', () => {
    expect(parse("<165>1 2003-08-24T05:14:15.000003-07:00 192.0.2.1 myproc 8710 - - %% It's time to make the do-nuts.")).toMatchObject({
      facility: 20,
      severity: 5,
      eventTime: Date.UTC(2003, 7, 24, 12, 14, 15, 0),
      host: '192.0.2.1',
      app: 'myproc',
      procId: '8710',
      msgId: '',
      message: "%% It's time to make the do-nuts.",
    });
  });

  it('examples 3 and 4: structured data, with and without a message', () => {
    const sd = '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]';
    expect(parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd} \ufeffAn application event log entry...`)).toMatchObject({
      structuredData: { 'exampleSDID@32473': { iut: ['3'], eventSource: ['Application'], eventID: ['1011'] } },
      message: 'An application event log entry...',
    });
    expect(parse(`<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 ${sd}[examplePriority@32473 class="high"]`)).toMatchObject({
      format: 'rfc5424',
      structuredData: { 'exampleSDID@32473': { iut: ['3'] }, 'examplePriority@32473': { class: ['high'] } },
      message: '',
    });
  });

  it('escapes in parameter values, repeated names', () => {
    expect(parse('<13>1 - host app - - [x@1 a="q\\"b\\]c\\\\d" a="2"] m').structuredData).toEqual({ 'x@1': { a: ['q"b]c\\d', '2'] } });
  });

  it('round-trips what our formatter writes, for every facility and severity', () => {
    for (const facility of FACILITIES) {
      for (const severity of SEVERITIES) {
        const message = {
          facility,
          severity,
          timestamp: received,
          hostname: 'sensor-7',
          appName: 'envirowatch',
          procId: '42',
          msgId: 'STATUS',
          structuredData: { 'status@21600': { reason: ['a "b" ] \\ c'] } },
          message: 'Temperature ok -> warning',
        };
        expect(parse(formatRfc5424(message))).toMatchObject({
          format: 'rfc5424',
          facility: FACILITIES.indexOf(facility),
          severity: SEVERITIES.indexOf(severity),
          host: 'sensor-7',
          app: 'envirowatch',
          procId: '42',
          msgId: 'STATUS',
          structuredData: message.structuredData,
          message: message.message,
          eventTime: received,
        });
      }
    }
  });
});

describe('RFC 3164', () => {
  it('§5.4 examples with a host name, and with an address and no tag', () => {
    expect(parse("<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8")).toMatchObject({
      format: 'rfc3164',
      facility: 4,
      severity: 2,
      host: 'mymachine',
      app: 'su',
      procId: '',
      message: "'su root' failed for lonvick on /dev/pts/8",
      eventTime: new Date(2026, 9, 11, 22, 14, 15).getTime(),
    });
    // Received in November: February is nearer next year, but a stamp is never read as later than its receipt (plus CLOCK_SKEW_MS).
    expect(parse('<13>Feb  5 17:32:18 10.0.0.99 Use the BFG!')).toMatchObject({
      format: 'rfc3164',
      host: '10.0.0.99',
      app: '',
      message: 'Use the BFG!',
      eventTime: new Date(2026, 1, 5, 17, 32, 18).getTime(),
    });
  });

  it('the pfSense openvpn form: no PRI, no host name (the sender is the host), tag with pid', () => {
    expect(parse("Jan 13 20:36:00 openvpn[53530]: openvpn server 'ovpns1' user 'domain\\username' address '25.22.29.248:12377' - connected")).toMatchObject({
      format: 'rfc3164',
      facility: 1,
      severity: 5,
      host: '192.0.2.7',
      app: 'openvpn',
      procId: '53530',
      message: "openvpn server 'ovpns1' user 'domain\\username' address '25.22.29.248:12377' - connected",
    });
  });

  it('round-trips what our RFC 3164 formatter writes', () => {
    const line = formatRfc3164({
      facility: 'local0',
      severity: 'err',
      timestamp: received,
      hostname: 'sensor-7',
      appName: 'envirowatch',
      procId: '42',
      message: 'bme280 failed',
    });
    expect(parse(line)).toMatchObject({
      format: 'rfc3164',
      facility: 16,
      severity: 3,
      host: 'sensor-7',
      app: 'envirowatch',
      procId: '42',
      message: 'bme280 failed',
      eventTime: Math.floor(received / 1000) * 1000,
    });
  });

  it('takes the year nearest the reference: Dec 31 received on Jan 1 is last year', () => {
    const newYear = new Date(2027, 0, 1, 0, 0, 5).getTime();
    expect(inferYear({ month: 11, day: 31, hours: 23, minutes: 59, seconds: 59 }, newYear)).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
    expect(inferYear({ month: 0, day: 1, hours: 0, minutes: 0, seconds: 1 }, new Date(2026, 11, 31, 23, 59, 58).getTime())).toBe(
      new Date(2027, 0, 1, 0, 0, 1).getTime(),
    );
    expect(parse('<13>Dec 31 23:59:59 h a: m', newYear).eventTime).toBe(new Date(2026, 11, 31, 23, 59, 59).getTime());
  });
});

describe('anything else is kept as a raw event', () => {
  it('keeps the text, the sender as host, the receive time, and a PRI if there is one', () => {
    expect(parse("<0>1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!")).toMatchObject({
      format: 'raw',
      host: '192.0.2.7',
      facility: 0,
      severity: 0,
      eventTime: received,
      message: "1990 Oct 22 10:52:01 TZ-6 scapegoat.dmz.example.org 10.1.2.3 sched[0]: That's All Folks!",
    });
    expect(parse('just some text\n')).toMatchObject({ format: 'raw', facility: 1, severity: 5, message: 'just some text', source: '192.0.2.7:51514' });
    expect(parse('<999>1 broken')).toMatchObject({ format: 'raw', message: '<999>1 broken' });
    expect(parseSyslog('x', { receivedAt: received, source: '[::1]:514' }).host).toBe('::1');
  });

  it('never throws on random input', () => {
    let seed = 12345;
    const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
    const pieces = ['<', '>', '1', ' ', '-', '[', ']', '"', '\\', '=', 'Jan', ' 1 ', '12:00:00', 'a', '\ufeff', '2026-01-01T00:00:00Z', '\u0000'];
    for (let i = 0; i < 5000; i++) {
      const text = Array.from({ length: Math.floor(random() * 20) }, () => pieces[Math.floor(random() * pieces.length)]).join('');
      const event = parse(text);
      expect(['rfc5424', 'rfc3164', 'raw']).toContain(event.format);
    }
  });
});

describe('RFC 5424 TIMESTAMP read without Date.parse', () => {
  // RFC 5424 §6.2.3 (RFC 3339's date-time, fraction up to 6 digits); what is no date is what V8's Date.parse reads as NaN.
  it('gives the time Date.parse gives for every edge of every field, and no date where it gives NaN', () => {
    const pad = (n: number, width = 2) => String(n).padStart(width, '0');
    let compared = 0;
    for (const year of [0, 99, 100, 1970, 2026, 9999])
      for (const month of [0, 1, 2, 12, 13])
        for (const day of [0, 1, 28, 29, 30, 31, 32])
          for (const [hours, minutes, seconds] of [
            [0, 0, 0],
            [23, 59, 59],
            [24, 0, 0],
            [24, 0, 1],
            [12, 60, 0],
            [12, 0, 60],
            [25, 0, 0],
          ] as const)
            for (const fraction of ['', '.5', '.000', '.123456'])
              for (const zone of ['Z', '+00:00', '-00:00', '+05:30', '-23:59', '+24:00', '+01:60']) {
                const stamp = `${pad(year, 4)}-${pad(month)}-${pad(day)}T${pad(hours)}:${pad(minutes)}:${pad(seconds)}${fraction}${zone}`;
                const expected = Date.parse(stamp);
                const event = parse(`<14>1 ${stamp} host app - - - text`);
                if (Number.isNaN(expected)) expect(event.format, stamp).not.toBe('rfc5424');
                else expect(event.eventTime, stamp).toBe(expected);
                compared++;
              }
    expect(compared).toBe(6 * 5 * 7 * 7 * 4 * 7);
  });

  it('reads each line whole when the one before was another day with the same day, month or year', () => {
    for (const stamp of [
      '2026-01-05T10:00:00Z',
      '2026-02-05T10:00:00Z',
      '2027-02-05T10:00:00Z',
      '2027-02-06T10:00:00Z',
      '2027-02-06T11:00:01.5Z',
      '2026-01-05T10:00:00Z',
    ])
      expect(parse(`<14>1 ${stamp} host app - - - text`).eventTime, stamp).toBe(Date.parse(stamp));
  });

  it('is no RFC 5424 TIMESTAMP when its form is not (TIME-SECFRAC is 1 to 6 digits, TIME-NUMOFFSET has a colon, a zone is required)', () => {
    for (const stamp of [
      '2026-01-01T00:00:00.1234567Z',
      '2026-01-01T00:00:00.Z',
      '2026-01-01T00:00:00',
      '2026-01-01T00:00:00+0100',
      '2026-1-01T00:00:00Z',
      '2026-01-01T00:00:00Zx',
      '2026-01-01t00:00:00Z',
      '2026-01-01T00:00:00+01:0',
      '+026-01-01T00:00:00Z',
    ]) {
      expect(parse(`<14>1 ${stamp} host app - - - text`).format, stamp).not.toBe('rfc5424');
    }
    expect(parse('<14>1 2026-01-01T00:00:00.123456Z host app - - - text')).toMatchObject({ format: 'rfc5424', eventTime: Date.UTC(2026, 0, 1, 0, 0, 0, 123) });
  });
});

describe('local time of an RFC 3164 stamp, the minute remembered', () => {
  it('is new Date(...) for every minute of a year in zones with DST, half-hour offsets and a 30-minute DST shift', () => {
    const zone = process.env.TZ;
    try {
      // A different year per zone: the remembered minute must not carry over from the zone before.
      for (const [i, tz] of ['Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe', 'Asia/Kathmandu', 'America/St_Johns'].entries()) {
        process.env.TZ = tz;
        const year = 2021 + i;
        const mismatches: string[] = [];
        for (let minute = 0; minute < 366 * 1440; minute++) {
          const day = 1 + Math.floor(minute / 1440);
          const [hours, minutes, seconds] = [Math.floor(minute / 60) % 24, minute % 60, minute % 61] as const;
          if (localTime(year, 0, day, hours, minutes, seconds) !== new Date(year, 0, day, hours, minutes, seconds).getTime())
            mismatches.push(`${tz} ${year} day ${day} ${hours}:${minutes}:${seconds}`);
        }
        expect(mismatches).toEqual([]);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});

describe('local year of a time, the last year remembered', () => {
  it('is new Date(time).getFullYear() for every hour of three years, in zones either side of UTC', () => {
    const zone = process.env.TZ;
    try {
      // A year between the zones' spans: the remembered bounds are of the zone before (a process's TZ does not change).
      for (const [i, tz] of ['Pacific/Kiritimati', 'Pacific/Pago_Pago', 'Europe/Berlin'].entries()) {
        process.env.TZ = tz;
        const from = Date.UTC(2020 + 5 * i, 0, 1);
        const mismatches: string[] = [];
        for (let time = from; time < from + 3 * 366 * 86_400_000; time += 3_600_000)
          if (localYear(time) !== new Date(time).getFullYear()) mismatches.push(`${tz} ${new Date(time).toISOString()}`);
        expect(mismatches).toEqual([]);
      }
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });

  it('reads stamps without a zone and with their year (RFC 3339, BSD) in local time as new Date does, in a DST gap too', () => {
    const zone = process.env.TZ;
    try {
      process.env.TZ = 'Europe/Berlin';
      for (const [line, local] of [
        ['<14>2026-03-29T02:30:05.25 host app: text', new Date(2026, 2, 29, 2, 30, 5, 250)],
        ['<14>Oct 16 2009 23:47:31.5 host app: text', new Date(2009, 9, 16, 23, 47, 31, 500)],
        ['<14>Apr 15 21:28:13 2007 host app: text', new Date(2007, 3, 15, 21, 28, 13)],
      ] as const)
        expect(parse(line).eventTime, line).toBe(local.getTime());
    } finally {
      if (zone === undefined) delete process.env.TZ;
      else process.env.TZ = zone;
    }
  });
});
