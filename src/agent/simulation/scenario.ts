/**
 * The scripted room that `--simulate` plays, a 60-second loop chosen so `npm start` shows every
 * behaviour within a minute: temperature rises past the warning (77 °F) and critical (80 °F)
 * limits and falls back, humidity dips below 10 %RH, the lights go off, a hand passes the
 * proximity sensor, and the BME280 drops off the bus for six seconds and comes back.
 */
export interface RoomConditions {
  /** Ambient air, what the corrected reading should approach. */
  readonly temperatureC: number;
  readonly humidityRH: number;
  readonly pressurePa: number;
  readonly lux: number;
  /** Raw proximity counts (0 = nothing near). */
  readonly proximity: number;
  /** The Pi's CPU temperature that heats the board. */
  readonly cpuC: number;
  /** The BME280 does not answer (loose connector). */
  readonly bme280Absent: boolean;
}

type Keyframes = readonly (readonly [seconds: number, value: number])[];

export const SCENARIO_PERIOD_S = 60;

const TEMPERATURE_C: Keyframes = [
  [0, 23],
  [10, 23.5],
  [25, 27.5],
  [35, 27.5],
  [50, 23.5],
  [60, 23],
];
const HUMIDITY_RH: Keyframes = [
  [0, 40],
  [12, 40],
  [24, 8],
  [32, 8],
  [40, 40],
  [60, 40],
];
const LUX: Keyframes = [
  [0, 320],
  [40, 320],
  [41, 2],
  [48, 2],
  [49, 320],
  [60, 320],
];
const PROXIMITY: Keyframes = [
  [0, 0],
  [44, 0],
  [45, 900],
  [46, 900],
  [47, 0],
  [60, 0],
];
const CPU_C: Keyframes = [
  [0, 48],
  [30, 55],
  [60, 48],
];
const BME280_ABSENT_S = [30, 36] as const;

/** Linear interpolation between keyframes; `frames` must start at 0 and end at the period. */
function interpolate(frames: Keyframes, t: number): number {
  for (let i = 1; i < frames.length; i++) {
    const [t1, v1] = frames[i]!;
    const [t0, v0] = frames[i - 1]!;
    if (t <= t1) return t1 === t0 ? v1 : v0 + ((v1 - v0) * (t - t0)) / (t1 - t0);
  }
  return frames.at(-1)![1];
}

/** The room `elapsedMs` after the simulation started (the script repeats every minute). */
export function roomAt(elapsedMs: number): RoomConditions {
  const t = (elapsedMs / 1000) % SCENARIO_PERIOD_S;
  return {
    temperatureC: interpolate(TEMPERATURE_C, t),
    humidityRH: interpolate(HUMIDITY_RH, t),
    pressurePa: 101_325 + 40 * Math.sin((2 * Math.PI * t) / SCENARIO_PERIOD_S),
    lux: interpolate(LUX, t),
    proximity: Math.round(interpolate(PROXIMITY, t)),
    cpuC: interpolate(CPU_C, t),
    bme280Absent: t >= BME280_ABSENT_S[0] && t < BME280_ABSENT_S[1],
  };
}
