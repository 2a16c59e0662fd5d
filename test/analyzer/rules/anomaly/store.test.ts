/** Anomaly rules' part of the store. */
import { describe, expect, it } from 'vitest';
import { AnomalyStore } from '../../../../src/analyzer/rules/anomaly/store.js';
import { tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();

describe('anomaly store', () => {
  it('keeps the latest counts of a value updated after it was reported', async () => {
    const store = new AnomalyStore(await database());
    const seen = { first: 1, last: 1, count: 1 };
    store.anomalyKey('vpn', 'dave', 1);
    store.anomalyValue('vpn', 'dave', '198.51.100.1', seen);
    seen.last = 9;
    seen.count = 4;
    store.anomalyValue('vpn', 'dave', '198.51.100.1', seen);
    store.write();
    expect(store.load().get('vpn')).toEqual([{ key: 'dave', firstSeen: 1, values: [{ value: '198.51.100.1', seen: { first: 1, last: 9, count: 4 } }] }]);
  });
});
