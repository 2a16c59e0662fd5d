import { EventEmitter } from 'node:events';
import type { Clock } from '../common/clock.js';
import type { Logger } from '../common/logger.js';
import type { ResolvedAgentConfig } from './config/resolve.js';
import type { CpuTemperatureSource } from './cpu-temperature.js';
import type { SensorDriver } from './sensors/driver.js';
import { deriveEnvironment, deriveLight, type DerivedValue, type EnvironmentMeasurement, type LightMeasurement } from './readings/derive.js';
import { average } from './readings/heat-correction.js';
import type { Quantity } from './readings/quantities.js';
import { crossedLimit, evaluateLevel, type Level, type Status } from './readings/thresholds.js';

export type SensorName = 'bme280' | 'ltr559';

/** Latest good value of one quantity. Values are in stored units (°C, %RH, hPa, lux, counts). */
export interface QuantityReading extends DerivedValue {
  /** When the measurement was taken (ms since the epoch). */
  readonly timestamp: number;
}

export interface QuantityState {
  readonly quantity: Quantity;
  readonly sensor: SensorName;
  /** Latest good reading; kept while the sensor is in error so its age can be shown. */
  readonly reading?: QuantityReading | undefined;
  /** Threshold level of the latest reading (with hysteresis). */
  readonly level: Level;
  /** `level`, unless the sensor is in error or the reading is older than `poll.staleAfter`. */
  readonly status: Status;
  /** Why the status is error or stale. */
  readonly reason?: string | undefined;
}

export interface SensorHealth {
  readonly name: SensorName;
  readonly ok: boolean;
  readonly error?: string | undefined;
  /** When the current fault began. */
  readonly since?: number | undefined;
  readonly failedPolls: number;
}

export interface AgentSnapshot {
  readonly timestamp: number;
  readonly quantities: readonly QuantityState[];
  readonly sensors: readonly SensorHealth[];
  /** Average of the recent CPU temperatures used for the correction, °C. */
  readonly cpuAverageC?: number | undefined;
}

export interface StatusChange {
  readonly quantity: Quantity;
  readonly from: Status;
  readonly to: Status;
  readonly value?: number | undefined;
  readonly limit?: { side: 'high' | 'low'; limit: number } | undefined;
  readonly reason?: string | undefined;
  readonly timestamp: number;
}

export interface SensorFault {
  readonly sensor: SensorName;
  readonly reason: string;
  readonly error: unknown;
  readonly timestamp: number;
}

export interface SensorRecovery {
  readonly sensor: SensorName;
  /** How long the sensor was in error. */
  readonly downtimeMs: number;
  readonly timestamp: number;
}

export type AgentEvents = {
  reading: [AgentSnapshot];
  statusChange: [StatusChange];
  fault: [SensorFault];
  recovered: [SensorRecovery];
};

export interface AgentSensors {
  readonly bme280?: SensorDriver<EnvironmentMeasurement & { readonly model?: string }> | undefined;
  readonly ltr559?: SensorDriver<LightMeasurement> | undefined;
}

export interface SensorAgentOptions {
  readonly config: ResolvedAgentConfig;
  readonly sensors: AgentSensors;
  /** Undefined turns the CPU-heat correction off. */
  readonly cpu?: CpuTemperatureSource | undefined;
  readonly clock: Clock;
  readonly logger: Logger;
}

/** A measurement turned into values, plus owned quantities it lacked and why (e.g. a BMP280 has no humidity). */
interface Derived {
  readonly values: readonly DerivedValue[];
  readonly missing: ReadonlyMap<Quantity, string>;
}

interface SensorSlot {
  readonly name: SensorName;
  readonly quantities: readonly Quantity[];
  readonly driver: SensorDriver<unknown>;
  readonly derive: (measurement: unknown) => Derived;
  initialised: boolean;
  fault?: { reason: string; since: number } | undefined;
  failedPolls: number;
}

interface MutableQuantityState {
  quantity: Quantity;
  sensor: SensorName;
  reading?: QuantityReading | undefined;
  /** `clock.monotonic()` of the reading, for its age: the wall clock may step. */
  readAt?: number | undefined;
  level: Level;
  status: Status;
  reason?: string | undefined;
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * The reading loop: polls every sensor each interval, keeps the latest values in memory (so
 * SNMP and the display never touch the bus), applies thresholds, and emits typed events.
 * A sensor fault marks that sensor's quantities `error`, is logged once, and the sensor is
 * re-initialised on a later poll when it answers again. Nothing a sensor does stops the loop.
 */
export class SensorAgent extends EventEmitter<AgentEvents> {
  private readonly slots: SensorSlot[] = [];
  private readonly states = new Map<Quantity, MutableQuantityState>();
  private readonly cpuSamples: number[] = [];
  private readonly cpu: CpuTemperatureSource | undefined;
  private cpuFailure: string | undefined;
  private readonly config: ResolvedAgentConfig;
  private readonly clock: Clock;
  private readonly log: Logger;

  constructor(options: SensorAgentOptions) {
    super();
    this.config = options.config;
    this.clock = options.clock;
    this.log = options.logger;
    this.cpu = options.cpu;
    const { bme280, ltr559 } = options.sensors;
    if (bme280) {
      // A channel configured off (oversampling 0) is not measured, so it has no quantity at all.
      const { oversampling } = this.config.config.sensors.bme280;
      const quantities: Quantity[] = ['temperature'];
      if (oversampling.humidity > 0) quantities.push('humidity');
      if (oversampling.pressure > 0) quantities.push('pressure');
      this.addSlot('bme280', quantities, bme280, (m) => this.deriveBme(m));
    }
    if (ltr559) {
      const quantities: Quantity[] = this.config.config.sensors.ltr559.proximity ? ['light', 'proximity'] : ['light'];
      this.addSlot('ltr559', quantities, ltr559, (m) => ({ values: deriveLight(m, this.config.offsets), missing: new Map() }));
    }
  }

  private addSlot<M>(name: SensorName, quantities: Quantity[], driver: SensorDriver<M>, derive: (m: M) => Derived): void {
    this.slots.push({ name, quantities, driver, derive: derive as SensorSlot['derive'], initialised: false, failedPolls: 0 });
    for (const quantity of quantities) this.states.set(quantity, { quantity, sensor: name, level: 'ok', status: 'stale', reason: 'no reading yet' });
  }

  private deriveBme(m: EnvironmentMeasurement & { readonly model?: string }): Derived {
    const { cpuCorrection } = this.config.config;
    const cpuAverageC = this.cpuSamples.length > 0 ? average(this.cpuSamples) : undefined;
    const values = deriveEnvironment(m, { cpuAverageC, factor: cpuCorrection.factor, offsets: this.config.offsets });
    // Only a BMP280 lacks a configured quantity: it has no humidity sensor.
    const missing = new Map<Quantity, string>();
    if (m.humidityRH === undefined) missing.set('humidity', `${m.model ?? 'chip'}: no humidity`);
    return { values, missing };
  }

  /** One pass over every sensor. Never rejects (event listeners' errors are caught and logged). */
  async pollOnce(): Promise<AgentSnapshot> {
    await this.sampleCpu();
    for (const slot of this.slots) await this.pollSlot(slot);
    this.refreshStale(this.clock.now());
    const snapshot = this.snapshot();
    this.publish('reading', snapshot);
    return snapshot;
  }

  /** Runs the loop until `signal` aborts: one poll per `poll.interval`, never overlapping. */
  async run(signal: AbortSignal): Promise<void> {
    const interval = this.config.config.poll.interval;
    let next = this.clock.monotonic();
    while (!signal.aborted) {
      await this.pollOnce();
      next = Math.max(next + interval, this.clock.monotonic());
      await this.clock.sleep(next - this.clock.monotonic(), signal);
    }
  }

  /**
   * Emits to the listeners (display, SNMP, traps). A listener that throws is a bug there; it is
   * logged and must not stop the reading loop or keep the event from the other listeners.
   */
  private publish<K extends keyof AgentEvents>(event: K, ...args: AgentEvents[K]): void {
    for (const listener of this.listeners(event) as ((...a: AgentEvents[K]) => void)[]) {
      try {
        listener(...args);
      } catch (error) {
        this.log.error('event listener failed', { event, error });
      }
    }
  }

  /** Latest state, from memory. Staleness is judged at call time so a hung loop shows as stale. */
  snapshot(): AgentSnapshot {
    const now = this.clock.now();
    const quantities = [...this.states.values()].map(({ readAt, ...state }) => {
      const stale = this.staleReason(state.reading, readAt);
      return stale && state.status !== 'error' ? { ...state, status: 'stale' as const, reason: stale } : state;
    });
    return {
      timestamp: now,
      quantities,
      sensors: this.slots.map((slot) => ({
        name: slot.name,
        ok: !slot.fault,
        error: slot.fault?.reason,
        since: slot.fault?.since,
        failedPolls: slot.failedPolls,
      })),
      cpuAverageC: this.cpuSamples.length > 0 ? average(this.cpuSamples) : undefined,
    };
  }

  /**
   * A CPU temperature that cannot be read turns the correction off until it can: the thermal
   * driver is a module (Debian: CONFIG_BCM2711_THERMAL=m) and may appear after the agent
   * started, so it is tried at every poll (one file read). Each change is logged once.
   */
  private async sampleCpu(): Promise<void> {
    if (!this.cpu) return;
    try {
      const neverRead = this.cpuSamples.length === 0;
      this.cpuSamples.push(await this.cpu.read());
      if (this.cpuSamples.length > this.config.config.cpuCorrection.samples) this.cpuSamples.shift();
      if (this.cpuFailure !== undefined) this.log.info(neverRead ? 'CPU temperature readable now: heat correction on' : 'CPU temperature readable again');
      this.cpuFailure = undefined;
    } catch (error) {
      if (this.cpuFailure !== undefined) return;
      this.cpuFailure = describe(error);
      if (this.cpuSamples.length === 0)
        this.log.warn('CPU temperature not readable: heat correction off until it is (tried every poll)', { error: this.cpuFailure });
      else this.log.warn('CPU temperature not readable: correcting with the last samples', { error: this.cpuFailure });
    }
  }

  private async pollSlot(slot: SensorSlot): Promise<void> {
    let result: Derived;
    try {
      if (!slot.initialised) {
        await slot.driver.init();
        slot.initialised = true;
      }
      result = slot.derive(await slot.driver.read());
    } catch (error) {
      slot.initialised = false;
      this.markFault(slot, error);
      return;
    }
    const now = this.clock.now();
    if (slot.fault) {
      const downtimeMs = now - slot.fault.since;
      slot.fault = undefined;
      this.log.info('sensor recovered', { sensor: slot.name, downtimeMs });
      this.publish('recovered', { sensor: slot.name, downtimeMs, timestamp: now });
    }
    for (const value of result.values) this.accept(value, now);
    for (const [quantity, reason] of result.missing) this.setStatus(this.states.get(quantity), 'error', now, reason);
  }

  private markFault(slot: SensorSlot, error: unknown): void {
    const now = this.clock.now();
    const reason = describe(error);
    slot.failedPolls += 1;
    if (!slot.fault) {
      slot.fault = { reason, since: now };
      this.log.warn('sensor fault; will retry every poll', { sensor: slot.name, error: reason });
      this.publish('fault', { sensor: slot.name, reason, error, timestamp: now });
    } else {
      slot.fault.reason = reason;
      this.log.debug(
        () => 'sensor still failing',
        () => ({ sensor: slot.name, error: reason, failedPolls: slot.failedPolls }),
      );
    }
    for (const quantity of slot.quantities) this.setStatus(this.states.get(quantity), 'error', now, reason);
  }

  private accept(value: DerivedValue, now: number): void {
    const state = this.states.get(value.quantity);
    if (!state) return;
    const first = state.reading === undefined;
    // A repeat of the chip's last conversion keeps that conversion's age.
    if (value.fresh !== false || !state.reading) {
      state.reading = { ...value, timestamp: now };
      state.readAt = this.clock.monotonic();
    }
    const thresholds = this.config.thresholds[value.quantity];
    // After an error or stale spell, judge afresh rather than with the old level's hysteresis.
    const previous = state.status === 'error' || state.status === 'stale' ? 'ok' : state.level;
    state.level = thresholds ? evaluateLevel(value.value, thresholds, previous) : 'ok';
    // A first reading that is fine is start-up, not a change anyone needs to hear about
    // (unless the sensor failed before it: then "error → ok" is news).
    this.setStatus(state, state.level, now, undefined, first && state.status === 'stale' && state.level === 'ok');
  }

  private staleReason(reading: QuantityReading | undefined, readAt: number | undefined): string | undefined {
    if (!reading || readAt === undefined) return 'no reading yet';
    const age = this.clock.monotonic() - readAt;
    return age > this.config.config.poll.staleAfter ? `last reading ${Math.round(age / 1000)} s old` : undefined;
  }

  private refreshStale(now: number): void {
    for (const state of this.states.values()) {
      const stale = state.status !== 'error' && state.reading ? this.staleReason(state.reading, state.readAt) : undefined;
      if (stale) this.setStatus(state, 'stale', now, stale);
    }
  }

  private setStatus(state: MutableQuantityState | undefined, status: Status, now: number, reason: string | undefined, quiet = false): void {
    if (!state) return;
    const from = state.status;
    state.reason = reason;
    if (from === status) return;
    state.status = status;
    const value = state.reading?.value;
    const thresholds = this.config.thresholds[state.quantity];
    const limit = value !== undefined && thresholds && (status === 'warning' || status === 'critical') ? crossedLimit(value, thresholds, status) : undefined;
    if (quiet) return;
    this.publish('statusChange', { quantity: state.quantity, from, to: status, value: status === 'error' ? undefined : value, limit, reason, timestamp: now });
  }
}
