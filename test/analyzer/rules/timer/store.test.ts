/** Timer rules' part of the store: starts that end before the write never reach the database, but a release of a row already written always does. */
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { TimerStore } from '../../../../src/analyzer/rules/timer/store.js';
import { changes, tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();
const heldTimers = (store: TimerStore) => (store.load().get('rdp') ?? []).map(({ key, started }) => `${key}@${started}`);

describe('timer store', () => {
  it('writes nothing for a start released before the write, and deletes a written start when released', async () => {
    const db = await database();
    const store = new TimerStore(db);
    const logon = parseSyslog('<134>1 2026-12-03T08:00:00Z srv1 win - - - 4624 logon', { receivedAt: Date.UTC(2026, 11, 3), source: '192.0.2.1:514' });
    const before = changes(db);
    store.timerHeld('rdp', 'a', 1, logon);
    store.timerReleased('rdp', 'a');
    expect(store.hasChanges()).toBe(false);
    store.write();
    expect(changes(db)).toBe(before);
    expect(heldTimers(store)).toEqual([]);

    store.timerHeld('rdp', 'b', 2, logon);
    store.write();
    expect(heldTimers(store)).toEqual(['b@2']);
    // Released, held again and released within one write: the written row must still go.
    store.timerReleased('rdp', 'b');
    store.timerHeld('rdp', 'b', 3, logon);
    store.timerReleased('rdp', 'b');
    store.write();
    expect(heldTimers(store)).toEqual([]);

    store.timerHeld('rdp', 'c', 4, logon);
    store.write();
    store.timerReleased('rdp', 'c');
    store.timerHeld('rdp', 'c', 5, logon);
    store.write();
    expect(heldTimers(store)).toEqual(['c@5']);
  });
});
