/**
 * What the display shows, as plain data: built from the agent's snapshot (whose status already
 * comes from the one threshold model, with its hysteresis) and rendered by render.ts. Pure.
 */
import type { AgentSnapshot } from '../agent.js';
import type { Quantity } from '../readings/quantities.js';
import type { Status } from '../readings/thresholds.js';
import { displayUnit, toDisplay, type UnitSystem } from '../readings/units.js';

/** The three rows the original showed, in its order. */
export const SCREEN_QUANTITIES = ['temperature', 'humidity', 'light'] as const satisfies readonly Quantity[];

const LABEL: Record<(typeof SCREEN_QUANTITIES)[number], string> = { temperature: 'Temp', humidity: 'Humid', light: 'Light' };
const DECIMALS: Record<(typeof SCREEN_QUANTITIES)[number], number> = { temperature: 1, humidity: 0, light: 0 };

/** `none`: no reading yet. */
export type RowState = Status | 'none';

export interface ScreenRow {
  readonly label: string;
  /** `73.4`, `ERR` for a sensor in error, `--` before the first reading. */
  readonly value: string;
  /** `°F`, `%RH`, `lux`; empty when the value is `ERR` or `--`. */
  readonly unit: string;
  readonly state: RowState;
}

export interface SplashScreen {
  readonly kind: 'splash';
  readonly hostname: string;
  /** The addresses to snmpwalk, most useful first; empty when the network is not up yet. */
  readonly addresses: readonly string[];
}

export interface ReadingsScreen {
  readonly kind: 'readings';
  /** `HH:MM:SS`, local time. */
  readonly clock: string;
  readonly rows: readonly ScreenRow[];
  /** Alternates at display.blink; the monochrome display inverts alerting rows only while on. */
  readonly blinkOn: boolean;
}

export type ScreenModel = SplashScreen | ReadingsScreen;

function row(quantity: (typeof SCREEN_QUANTITIES)[number], snapshot: AgentSnapshot, units: UnitSystem): ScreenRow {
  const label = LABEL[quantity];
  const state = snapshot.quantities.find((q) => q.quantity === quantity);
  // A disabled sensor and one never read both show "--".
  if (!state || (!state.reading && state.status !== 'error')) return { label, value: '--', unit: '', state: 'none' };
  if (state.status === 'error') return { label, value: 'ERR', unit: '', state: 'error' };
  const value = toDisplay(quantity, state.reading!.value, units).toFixed(DECIMALS[quantity]);
  return { label, value: value === '-0' ? '0' : value, unit: displayUnit(quantity, units), state: state.status };
}

/** `HH:MM:SS` in local time. */
export function clockText(now: Date): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(now.getHours())}:${pad(now.getMinutes())}:${pad(now.getSeconds())}`;
}

/** The rows for a snapshot; undefined (no poll finished yet) shows `--` everywhere. */
export function screenRows(snapshot: AgentSnapshot | undefined, units: UnitSystem): ScreenRow[] {
  const empty: AgentSnapshot = { timestamp: 0, quantities: [], sensors: [] };
  return SCREEN_QUANTITIES.map((quantity) => row(quantity, snapshot ?? empty, units));
}

export function readingsScreen(snapshot: AgentSnapshot | undefined, options: { units: UnitSystem; now: Date; blinkOn: boolean }): ReadingsScreen {
  return { kind: 'readings', clock: clockText(options.now), rows: screenRows(snapshot, options.units), blinkOn: options.blinkOn };
}

/** Whether a row is in an alert state (coloured on the LCD, inverted and blinking on the OLED). */
export function isAlerting(state: RowState): state is 'warning' | 'critical' | 'error' {
  return state === 'warning' || state === 'critical' || state === 'error';
}
