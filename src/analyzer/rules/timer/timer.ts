/**
 * Timer rules (EventSentry's filter timers): a start event is held under its correlation key; a
 * matching end event releases it silently; if the timeout passes first, the held start becomes an
 * alert carrying it and how long it was open. Decisions: a second start for a key already held
 * keeps the first (the earliest open time is the one that matters; counted as duplicate); an end
 * with no start is counted and ignored; an event that matches both start and end is a start.
 */
import { formatDuration } from '../../../common/duration.js';
import type { SyslogEvent } from '../../../common/syslog/event.js';
import { alertId, NO_ALERTS, type Alert } from '../alert.js';
import type { RuleInstance } from '../kind.js';
import { ownCopy } from '../../store/rule-keys.js';
import { matchEvent } from '../match.js';
import { compactHeld, heldEvent, type Held } from './held.js';
import type { TimerRule } from './schema.js';
import type { SavedTimers, TimerSink } from './store.js';

/** A start held longer than this keeps its event compact (held.ts); most end sooner and never pay for it. */
const COMPACT_AFTER_MS = 1000;

export class TimerTracker implements RuleInstance {
  readonly counters = { starts: 0, ends: 0, duplicateStarts: 0, endsWithoutStart: 0, alerts: 0 };
  private held: SavedTimers = new Map();
  /** Starts held since the last compaction, in start order: the keys and what they held (a key may have been released since). */
  private young: { key: string; held: Held }[] = [];
  private nextCompaction = -Infinity;
  /**
   * No held start is due before this. Only ever early (an end may have released the start it was
   * computed from), never late, so advance() can return at once for most events.
   */
  private nextDeadline = Infinity;

  constructor(
    readonly rule: TimerRule,
    private readonly sink?: TimerSink,
  ) {}

  /** Takes over the starts a store kept (its load() builds them in start order); those whose timeout passed meanwhile fire at the next advance(). */
  restore(timers: SavedTimers): void {
    this.held = timers;
    this.nextDeadline = -Infinity;
  }

  /** Raises nothing itself: a held start alerts when advance() finds its timeout passed. */
  process(event: SyslogEvent, now: number): readonly Alert[] {
    const start = matchEvent(this.rule.start, event);
    if (start) {
      this.counters.starts++;
      const key = this.rule.key.apply(start, event);
      if (this.held.has(key)) this.counters.duplicateStarts++;
      else {
        if (this.held.size === 0) this.nextDeadline = now + this.rule.timeout;
        const held: Held = { event, started: now, row: 'unwritten' };
        const kept = ownCopy(key);
        this.held.set(kept, held);
        this.young.push({ key: kept, held });
        this.sink?.timerHeld(this.rule.id, kept, held);
      }
      return NO_ALERTS;
    }
    const end = matchEvent(this.rule.end, event);
    if (!end) return NO_ALERTS;
    this.counters.ends++;
    const key = this.rule.key.apply(end, event);
    const held = this.held.get(key);
    if (held) {
      this.held.delete(key);
      this.sink?.timerReleased(this.rule.id, key, held);
    } else this.counters.endsWithoutStart++;
    return NO_ALERTS;
  }

  /**
   * Releases every held start whose timeout has passed at `now`, oldest first. The map is in
   * start order and the timeout is the rule's, so the first start not yet due ends the scan:
   * this runs for every event and must not walk all held starts.
   */
  advance(now: number): readonly Alert[] {
    if (now >= this.nextCompaction) this.compact(now);
    if (now < this.nextDeadline) return NO_ALERTS;
    const alerts: Alert[] = [];
    this.nextDeadline = Infinity;
    for (const [key, held] of this.held) {
      if (now < held.started + this.rule.timeout) {
        this.nextDeadline = held.started + this.rule.timeout;
        break;
      }
      this.held.delete(key);
      this.sink?.timerReleased(this.rule.id, key, held);
      this.counters.alerts++;
      const openForMs = now - held.started;
      const event = heldEvent(held);
      alerts.push({
        id: alertId(this.rule.id, key, held.started),
        ruleId: this.rule.id,
        kind: 'timer',
        severity: this.rule.severity,
        time: held.started + this.rule.timeout,
        host: event.host,
        key,
        summary: `${this.rule.id}: ${key} started ${new Date(held.started).toISOString()} with no end within ${formatDuration(this.rule.timeout)}`,
        evidence: { events: [event], openForMs },
      });
    }
    return alerts;
  }

  /** Compacts the starts still held COMPACT_AFTER_MS after they started; at most once a second of the engine's time. */
  private compact(now: number): void {
    this.nextCompaction = now + COMPACT_AFTER_MS;
    let i = 0;
    for (; i < this.young.length && now >= this.young[i]!.held.started + COMPACT_AFTER_MS; i++) {
      const { key, held } = this.young[i]!;
      if (this.held.get(key) === held) compactHeld(held);
    }
    this.young.splice(0, i);
  }

  get pending(): number {
    return this.held.size;
  }
}
