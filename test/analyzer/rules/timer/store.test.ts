/**
 * Timer rules' part of the store: starts that end before the write never reach the database, but
 * a release of a row already written always does; held events come back whole, in start order,
 * also from a database written before the compact encoding.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseSyslog } from '../../../../src/common/syslog/parse.js';
import { compactHeld, heldEvent, type Held } from '../../../../src/analyzer/rules/timer/held.js';
import { TimerStore } from '../../../../src/analyzer/rules/timer/store.js';
import { MIGRATIONS, openDatabase } from '../../../../src/analyzer/store/database.js';
import { changes, tempDatabases } from '../../../helpers/temp-database.js';

const { database } = tempDatabases();
const heldTimers = (store: TimerStore) => [...(store.load().get('rdp') ?? [])].map(([key, { started }]) => `${key}@${started}`);
const flush = (store: TimerStore) => {
  store.write();
  store.committed();
};
const logon = parseSyslog('<134>1 2026-12-03T08:00:00.123456+01:00 srv1 win - - [origin@6876 ip="192.0.2.1"][x@1 a="1" a="2"] 4624 logon é', {
  receivedAt: Date.UTC(2026, 11, 3),
  source: '192.0.2.1:514',
});
const held = (started: number): Held => ({ started, event: logon, row: 'unwritten' });

describe('timer store', () => {
  it('writes nothing for a start released before the write, and deletes a written start when released', async () => {
    const db = await database();
    const store = new TimerStore(db);
    const before = changes(db);
    const a = held(1);
    store.timerHeld('rdp', 'a', a);
    store.timerReleased('rdp', 'a', a);
    expect(store.hasChanges()).toBe(false);
    flush(store);
    expect(changes(db)).toBe(before);
    expect(heldTimers(store)).toEqual([]);

    const [b2, b3] = [held(2), held(3)];
    store.timerHeld('rdp', 'b', b2);
    flush(store);
    expect(heldTimers(store)).toEqual(['b@2']);
    // Released, held again and released within one write: the written row must still go.
    store.timerReleased('rdp', 'b', b2);
    store.timerHeld('rdp', 'b', b3);
    store.timerReleased('rdp', 'b', b3);
    expect(store.hasChanges()).toBe(true);
    flush(store);
    expect(heldTimers(store)).toEqual([]);

    const c4 = held(4);
    store.timerHeld('rdp', 'c', c4);
    flush(store);
    store.timerReleased('rdp', 'c', c4);
    store.timerHeld('rdp', 'c', held(5));
    flush(store);
    expect(heldTimers(store)).toEqual(['c@5']);
  });

  it('whatever the order of holds, releases, writes and failed writes (rolled back, written again whole), the table holds what is held', async () => {
    const db = await database();
    const keys = ['a', 'b', '__proto__'];
    const step = fc.oneof(
      fc.record({ hold: fc.constantFrom(...keys), rule: fc.constantFrom('rdp', 'vpn') }),
      fc.record({ release: fc.constantFrom(...keys), rule: fc.constantFrom('rdp', 'vpn') }),
      fc.constant({ write: true }),
      fc.constant({ failedWrite: true }),
    );
    let started = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(step, { maxLength: 40 }), async (steps) => {
        db.exec('DELETE FROM timers');
        const store = new TimerStore(db);
        // What the tracker holds, by rule and key: the model.
        const trackers = new Map<string, Map<string, Held>>();
        const tracker = (rule: string) => trackers.get(rule) ?? trackers.set(rule, new Map()).get(rule)!;
        for (const s of steps) {
          if ('hold' in s && !tracker(s.rule).has(s.hold)) {
            const h = held(++started);
            tracker(s.rule).set(s.hold, h);
            store.timerHeld(s.rule, s.hold, h);
          } else if ('release' in s && tracker(s.rule).has(s.release)) {
            const h = tracker(s.rule).get(s.release)!;
            tracker(s.rule).delete(s.release);
            store.timerReleased(s.rule, s.release, h);
          } else if ('write' in s) {
            db.transaction(() => store.write())();
            store.committed();
          } else if ('failedWrite' in s)
            expect(() =>
              db.transaction(() => {
                store.write();
                throw new Error('the disk is full');
              })(),
            ).toThrow('the disk is full');
        }
        db.transaction(() => store.write())();
        store.committed();
        expect(store.hasChanges()).toBe(false);
        const table = new TimerStore(db).load();
        for (const rule of ['rdp', 'vpn'])
          expect([...(table.get(rule) ?? [])].map(([key, h]) => [key, h.started])).toEqual(
            [...tracker(rule)].map(([key, h]) => [key, h.started]).sort((x, y) => (x[1] as number) - (y[1] as number)),
          );
      }),
      { numRuns: 300 },
    );
  });

  it('loads the starts in start order with their events whole; a written start is kept compact', async () => {
    const db = await database();
    const store = new TimerStore(db);
    const [late, early] = [held(9), held(3)];
    store.timerHeld('rdp', 'a', late);
    store.timerHeld('rdp', 'b', early);
    flush(store);
    expect(typeof late.event).toBe('string'); // the tracker's start now holds the string written
    expect(heldTimers(store)).toEqual(['b@3', 'a@9']);
    const loaded = new TimerStore(db).load().get('rdp')!.get('a')!;
    expect(typeof loaded.event).toBe('string');
    expect(heldEvent(loaded)).toEqual(logon);
    expect(JSON.stringify(heldEvent(loaded))).toBe(JSON.stringify(logon)); // the same evidence, field for field, in order
  });

  it('a database from before the compact encoding: its held starts are converted and come back whole', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'envirowatch-timers-'));
    const old = new Database(join(dir, 'analyzer.sqlite'));
    const before = MIGRATIONS.findIndex((migration) => migration.includes('json_array'));
    for (const migration of MIGRATIONS.slice(0, before)) old.exec(migration);
    old.pragma(`user_version = ${before}`);
    old.prepare('INSERT INTO timers (rule_id, key, started, event) VALUES (?, ?, ?, ?)').run('rdp', 'srv1/0x3e7', 7, JSON.stringify(logon));
    old.close();
    const db = openDatabase(dir);
    const loaded = new TimerStore(db).load().get('rdp')!.get('srv1/0x3e7')!;
    expect(loaded.started).toBe(7);
    expect(loaded.event).toBe(compactHeld(held(7)));
    expect(heldEvent(loaded)).toEqual(logon);
    db.close();
  });
});
