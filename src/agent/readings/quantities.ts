/** What the agent measures. Values are kept in SI-ish base units; `units.ts` converts for people. */
export const QUANTITIES = ['temperature', 'humidity', 'pressure', 'light', 'proximity'] as const;
export type Quantity = (typeof QUANTITIES)[number];

/** Base unit each quantity is stored in. */
export const BASE_UNIT: Record<Quantity, string> = {
  temperature: '°C',
  humidity: '%RH',
  pressure: 'hPa',
  light: 'lux',
  proximity: 'counts',
};

/** Human names, as the original SNMP table showed them. */
export const QUANTITY_NAME: Record<Quantity, string> = {
  temperature: 'Temperature',
  humidity: 'Humidity',
  pressure: 'Pressure',
  light: 'Light',
  proximity: 'Proximity',
};
