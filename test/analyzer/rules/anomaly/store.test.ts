/** Anomaly rules' part of the store: rows as the detector reports them, and read back in the order it keeps them. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { AnomalyDetector } from '../../../../src/analyzer/rules/anomaly/anomaly.js';
import { PACKED_VALUES } from '../../../../src/analyzer/rules/anomaly/learned.js';
import { anomalyRuleSchema } from '../../../../src/analyzer/rules/anomaly/schema.js';
import { AnomalyStore } from '../../../../src/analyzer/rules/anomaly/store.js';
import type { Db } from '../../../../src/analyzer/store/database.js';
import { tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();
const rows = (db: Db) => db.prepare('SELECT key, value, first, last, count FROM anomaly_values ORDER BY key, value').all();
const flush = (store: AnomalyStore) => {
  store.write();
  store.committed();
};
const IP = '198.51.100.1';
/** A store whose rule vpn has learned IP for dave at time 1, seen at `seen`, and written. */
async function daveLearned(...seen: number[]) {
  const db = await database();
  const store = new AnomalyStore(db);
  store.anomalyKey('vpn', 'dave', 1);
  store.anomalyLearned('vpn', 'dave', IP, 1);
  for (const at of seen) store.anomalySeen('vpn', 'dave', IP, at);
  flush(store);
  return { db, store };
}

describe('anomaly store', () => {
  it('a learned value is a row with its first and last time and count; later sightings move them on', async () => {
    const { db, store } = await daveLearned(5, 9);
    expect(rows(db)).toEqual([{ key: 'dave', value: IP, first: 1, last: 9, count: 3 }]);
    store.anomalySeen('vpn', 'dave', IP, 12);
    store.anomalySeen('vpn', 'dave', IP, 13);
    flush(store);
    expect(rows(db)).toEqual([{ key: 'dave', value: IP, first: 1, last: 13, count: 5 }]);
  });

  it('a value forgotten and learned again is a new row, not the old one counted on', async () => {
    const { db, store } = await daveLearned(2);
    store.anomalyForgetValue('vpn', 'dave', IP);
    store.anomalyLearned('vpn', 'dave', IP, 20);
    flush(store);
    expect(rows(db)).toEqual([{ key: 'dave', value: IP, first: 20, last: 20, count: 1 }]);
  });

  it('a key evicted and back within the same second starts afresh: its forgotten values are not learned again at the next start', async () => {
    // Seen with the old layout (a Map of keys to first-seen or null): the key's re-adding overwrote
    // its deletion, so its old value rows stayed and a restart knew them again.
    const { db, store } = await daveLearned();
    store.anomalyForgetKey('vpn', 'dave'); // evicted past maxKeys ...
    store.anomalyKey('vpn', 'dave', 7); // ... and back in the same second
    store.anomalyLearned('vpn', 'dave', '10.0.0.7', 7);
    flush(store);
    expect(rows(db)).toEqual([{ key: 'dave', value: '10.0.0.7', first: 7, last: 7, count: 1 }]);
    const vpn = new AnomalyStore(db).load().get('vpn')!;
    expect(vpn.firstSeen(vpn.slotOf('dave'))).toBe(7);
  });

  it('what is not committed is written again: a failed transaction loses no sighting', async () => {
    const { db, store } = await daveLearned();
    store.anomalySeen('vpn', 'dave', IP, 5);
    expect(() =>
      db.transaction(() => {
        store.write();
        throw new Error("another kind's write failed");
      })(),
    ).toThrow();
    store.anomalySeen('vpn', 'dave', IP, 6);
    flush(store);
    expect(rows(db)).toEqual([{ key: 'dave', value: IP, first: 1, last: 6, count: 3 }]);
  });

  it("loads each rule's keys least recently seen first (the first evicted), and each key's values likewise", async () => {
    const db = await database();
    const store = new AnomalyStore(db);
    store.anomalyKey('vpn', 'erin', 1);
    store.anomalyLearned('vpn', 'erin', '10.0.0.1', 1);
    store.anomalyLearned('vpn', 'erin', '10.0.0.2', 2);
    store.anomalyKey('vpn', 'dave', 3); // first seen after erin, but erin's 10.0.0.1 is seen later still
    store.anomalyLearned('vpn', 'dave', '10.0.0.9', 3);
    store.anomalySeen('vpn', 'erin', '10.0.0.1', 4);
    store.anomalyKey('vpn', 'frank', 5); // no value yet: its own first time counts
    store.anomalyKey('other', 'dave', 7);
    flush(store);
    const vpn = new AnomalyStore(db).load().get('vpn')!;
    expect(vpn.valuesOf(vpn.slotOf('erin'))).toEqual(['10.0.0.2', '10.0.0.1']);
    expect(vpn.valuesOf(vpn.slotOf('dave'))).toEqual(['10.0.0.9']);
    expect(vpn.firstSeen(vpn.slotOf('frank'))).toBe(5);
    expect([vpn.evictOldest(), vpn.evictOldest(), vpn.evictOldest()]).toEqual(['dave', 'erin', 'frank']);
    const other = new AnomalyStore(db).load().get('other')!;
    expect(other.valuesOf(other.slotOf('dave'))).toEqual([]);
  });

  it('a detector restarted from what the store wrote raises the same alerts as one that ran on (packed values, Sets, evictions)', async () => {
    const db = await database();
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.record({
          maxValuesPerKey: fc.integer({ min: 1, max: 2 * PACKED_VALUES }),
          maxKeys: fc.integer({ min: 1, max: 6 }),
          learning: fc.integer({ min: 1, max: 200 }).map((ms) => `${ms}ms`),
          events: fc.array(fc.tuple(fc.integer({ min: 0, max: 7 }), fc.integer({ min: 0, max: 3 * PACKED_VALUES })), { maxLength: 400 }),
          restartAt: fc.nat(),
        }),
        async ({ events, restartAt, ...caps }) => {
          const id = `rule${run++}`; // a rule of its own in the shared database per run
          const rule = anomalyRuleSchema.parse({
            id,
            kind: 'anomaly',
            match: { regex: '^user (?<user>\\S+) from (?<ip>\\S+)$' },
            key: '${user}',
            value: '${ip}',
            ...caps,
          });
          // One event a millisecond: the store orders keys and values by their last time, as the detector does.
          const lines = events.map(([user, ip], i) =>
            parseSyslog(`<13>1 ${new Date(i).toISOString()} h app - - - user u${user} from 10.0.${ip}.1`, { receivedAt: 0, source: 'x:1' }),
          );
          const split = restartAt % (lines.length + 1);
          const alertsOf = (detector: AnomalyDetector, from: number, to = lines.length) =>
            lines.slice(from, to).flatMap((event) => detector.process(event, event.eventTime).map((a) => a.summary));
          const ranOn = new AnomalyDetector(rule);
          const store = new AnomalyStore(db);
          const stopped = new AnomalyDetector(rule, store);
          expect(alertsOf(stopped, 0, split)).toEqual(alertsOf(ranOn, 0, split));
          db.transaction(() => store.write())();
          store.committed();
          const restarted = new AnomalyDetector(rule);
          const saved = new AnomalyStore(db).load().get(id);
          if (saved) restarted.restore(saved);
          expect(alertsOf(restarted, split)).toEqual(alertsOf(ranOn, split));
        },
      ),
      { numRuns: 150 },
    );
  });
});
