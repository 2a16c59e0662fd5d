/**
 * Keeps the display showing the agent's state: the splash (host name and addresses) for
 * display.splash, then the clock and readings. The clock is redrawn every refresh.clock, the
 * readings every refresh.readings, alerting rows on the OLED blink at display.blink; the driver
 * sends only what changed. A display that fails (absent, bus error) is reported once, re-opened
 * with backoff, and its recovery reported once: it never stops the agent.
 */
import type { Clock } from '../../common/clock.js';
import type { Logger } from '../../common/logger.js';
import type { AgentSnapshot } from '../agent.js';
import type { UnitSystem } from '../readings/units.js';
import type { DisplayConfig } from './config.js';
import type { DisplayDriver } from './driver.js';
import type { Frame } from './framebuffer.js';
import { renderScreen } from './render.js';
import { clockText, isAlerting, screenRows, type ScreenModel, type ScreenRow } from './screen-model.js';

const RETRY_FIRST_MS = 1_000;
const RETRY_MAX_MS = 60_000;

export interface DisplayServiceOptions {
  readonly driver: DisplayDriver;
  readonly config: Pick<DisplayConfig, 'refresh' | 'splash' | 'blink'>;
  readonly units: UnitSystem;
  readonly snapshot: () => AgentSnapshot | undefined;
  readonly host: () => { hostname: string; addresses: readonly string[] };
  readonly clock: Clock;
  readonly logger: Logger;
  /** Called with each frame the display accepted (e.g. to write `--display-snapshot`). */
  readonly onFrame?: ((frame: Frame) => void) | undefined;
  /** Called when the display fails (first failure only) and when it works again. */
  readonly onHealth?: ((failed: boolean, error?: unknown) => void) | undefined;
}

export interface DisplayCounters {
  frames: number;
  bytes: number;
  failures: number;
  opens: number;
}

export class DisplayService {
  readonly counters: DisplayCounters = { frames: 0, bytes: 0, failures: 0, opens: 0 };
  private opened = false;
  private failing = false;
  private retryMs = RETRY_FIRST_MS;
  private startedAt: number | undefined;
  private readings: { rows: readonly ScreenRow[]; at: number } | undefined;

  constructor(private readonly options: DisplayServiceOptions) {}

  /** One step: (re)open if needed, draw what is due, send it. Returns ms until the next step. */
  async tick(): Promise<number> {
    const { driver, clock } = this.options;
    try {
      if (!this.opened) {
        this.counters.opens++;
        await driver.open();
        this.opened = true;
        this.startedAt ??= clock.monotonic();
      }
      const frame = renderScreen(this.model(), driver);
      const sent = await driver.show(frame);
      this.counters.frames++;
      this.counters.bytes += sent.bytes;
      this.options.onFrame?.(frame);
      if (this.failing) {
        this.options.logger.info('display recovered', { failures: this.counters.failures });
        this.options.onHealth?.(false);
      }
      this.failing = false;
      this.retryMs = RETRY_FIRST_MS;
    } catch (error) {
      this.counters.failures++;
      this.opened = false;
      if (!this.failing) {
        this.options.logger.warn('display failed; retrying in the background', { error });
        this.options.onHealth?.(true, error);
      } else this.options.logger.debug('display still failing', { error, retryMs: this.retryMs });
      this.failing = true;
      const wait = this.retryMs;
      this.retryMs = Math.min(RETRY_MAX_MS, this.retryMs * 2);
      return wait;
    }
    return this.nextDelay(clock.monotonic());
  }

  /** Steps until `signal` aborts, then turns the display off (best effort). */
  async run(signal: AbortSignal): Promise<void> {
    while (!signal.aborted) {
      const delay = await this.tick();
      await this.options.clock.sleep(delay, signal);
    }
    if (this.opened) await this.options.driver.close().catch((error: unknown) => this.options.logger.debug('display close failed', { error }));
  }

  private model(): ScreenModel {
    const { clock, config, units } = this.options;
    const now = clock.monotonic();
    if (now - this.startedAt! < config.splash) return { kind: 'splash', ...this.options.host() };
    // Readings change at refresh.readings; the clock line and blink phase at every step.
    if (!this.readings || now - this.readings.at >= config.refresh.readings) this.readings = { rows: screenRows(this.options.snapshot(), units), at: now };
    return { kind: 'readings', clock: clockText(new Date(clock.now())), rows: this.readings.rows, blinkOn: Math.floor(now / config.blink) % 2 === 0 };
  }

  private nextDelay(now: number): number {
    const { config, driver } = this.options;
    const splashLeft = config.splash - (now - this.startedAt!);
    if (splashLeft > 0) return splashLeft;
    const blinking = driver.format === 'mono' && this.readings?.rows.some((row) => isAlerting(row.state));
    return blinking ? Math.min(config.refresh.clock, config.blink) : config.refresh.clock;
  }
}
