/**
 * Timer rules' part of the store: starts that end before the write never reach the database, but
 * a release of a row already written always does; held events come back whole, in start order,
 * also from a database written before the compact encoding.
 */
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
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
const held = (started: number): Held => ({ started, event: logon });

describe('timer store', () => {
  it('writes nothing for a start released before the write, and deletes a written start when released', async () => {
    const db = await database();
    const store = new TimerStore(db);
    const before = changes(db);
    store.timerHeld('rdp', 'a', held(1));
    store.timerReleased('rdp', 'a');
    expect(store.hasChanges()).toBe(false);
    flush(store);
    expect(changes(db)).toBe(before);
    expect(heldTimers(store)).toEqual([]);

    store.timerHeld('rdp', 'b', held(2));
    flush(store);
    expect(heldTimers(store)).toEqual(['b@2']);
    // Released, held again and released within one write: the written row must still go.
    store.timerReleased('rdp', 'b');
    store.timerHeld('rdp', 'b', held(3));
    store.timerReleased('rdp', 'b');
    flush(store);
    expect(heldTimers(store)).toEqual([]);

    store.timerHeld('rdp', 'c', held(4));
    flush(store);
    store.timerReleased('rdp', 'c');
    store.timerHeld('rdp', 'c', held(5));
    flush(store);
    expect(heldTimers(store)).toEqual(['c@5']);
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
