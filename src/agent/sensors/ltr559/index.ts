export { computeLux, channelRatio, luxBranch, isAlsSaturated, luxToCounts, LUX_CH0_COEFFICIENTS, LUX_CH1_COEFFICIENTS } from './lux.js';
export type { LuxInput, LuxToCountsInput } from './lux.js';
export { Ltr559 } from './ltr559.js';
export type { Ltr559Options, Ltr559Measurement } from './ltr559.js';
export { Ltr559Emulator } from './emulator.js';
export type { Ltr559Conditions, Ltr559Faults } from './emulator.js';
export * from './registers.js';
