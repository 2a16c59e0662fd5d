import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { Bme280Emulator, FORUM_BME280_DUMP, STRATUX_BMP280_DUMP } from '../../../../src/agent/sensors/bme280/index.js';
import type { Bme280Model } from '../../../../src/agent/sensors/bme280/index.js';

function setup(model: Bme280Model = 'BME280') {
  const clock = new ManualClock();
  const chip = new Bme280Emulator({ clock, model, conditions: { temperatureC: 25, humidityRH: 40, pressurePa: 101_325 } });
  clock.advance(5); // past the power-on NVM copy
  const write = (register: number, value: number) => chip.write(register, Uint8Array.of(value));
  return { clock, chip, write };
}

/** The burst 0xF7..0xFE as ADC values. */
function burst(chip: Bme280Emulator) {
  const b = chip.read(0xf7, 8);
  const at = (i: number) => b[i] ?? 0;
  return { adcP: (at(0) << 12) | (at(1) << 4) | (at(2) >> 4), adcT: (at(3) << 12) | (at(4) << 4) | (at(5) >> 4), adcH: (at(6) << 8) | at(7) };
}

const hexBytes = (bytes: Uint8Array) => [...bytes].map((b) => b.toString(16).padStart(2, '0')).join(' ');

describe('Bme280Emulator registers', () => {
  it('powers up like the datasheet says, with the real forum dump as trimming', () => {
    const clock = new ManualClock();
    const chip = new Bme280Emulator({ clock });
    expect(chip.peek(0xd0)).toBe(0x60);
    expect(chip.peek(0xf3)).toBe(0x01); // im_update: NVM copy running
    clock.advance(1);
    expect(chip.peek(0xf3)).toBe(0x00);
    expect(chip.read(0x88, 26)).toEqual(FORUM_BME280_DUMP.block88);
    expect(chip.read(0xe1, 7)).toEqual(FORUM_BME280_DUMP.blockE1);
    expect(hexBytes(chip.read(0xf2, 4))).toBe('00 00 00 00'); // ctrl_hum, status, ctrl_meas, config
    expect(hexBytes(chip.read(0xf7, 8))).toBe('80 00 00 80 00 00 80 00'); // reset values (§5.3)
    expect(chip.peek(0xe0)).toBe(0x00);
  });

  it('restores the power-on state on 0xB6 only', () => {
    const { chip, write, clock } = setup();
    write(0xf2, 0x01);
    write(0xf5, 0xa0);
    write(0xf4, 0x25);
    clock.advance(10);
    write(0xe0, 0xb5); // any other value: no effect
    expect(hexBytes(chip.read(0xf2, 4))).toBe('01 00 24 a0');
    write(0xe0, 0xb6);
    expect(hexBytes(chip.read(0xf2, 4))).toBe('00 01 00 00'); // im_update set again
    expect(hexBytes(chip.read(0xf7, 8))).toBe('80 00 00 80 00 00 80 00');
  });

  it('takes multi-byte writes as register/value pairs (§6.2.1)', () => {
    const { chip } = setup();
    chip.write(0xf2, Uint8Array.of(0x01, 0xf5, 0x28));
    expect(hexBytes(chip.read(0xf2, 4))).toBe('01 00 00 28');
  });

  it('plays a BMP280: id 0x58, no humidity block, ctrl_hum ignored, 0xFD/0xFE 80 00', () => {
    const { chip, write, clock } = setup('BMP280');
    expect(chip.peek(0xd0)).toBe(0x58);
    expect(chip.read(0x88, 26)).toEqual(STRATUX_BMP280_DUMP.block88);
    expect(hexBytes(chip.read(0xe1, 7))).toBe('00 00 00 00 00 00 00');
    write(0xf2, 0x01);
    expect(chip.peek(0xf2)).toBe(0x00);
    write(0xf4, 0x25);
    clock.advance(6); // typical x1/x1: 1 + 2 + 2.5 = 5.5 ms
    expect(chip.peek(0xf3) & 0x08).toBe(0);
    expect(hexBytes(chip.read(0xfd, 2))).toBe('80 00');
    expect(burst(chip).adcT).not.toBe(0x80000);
  });
});

describe('Bme280Emulator conversions', () => {
  it('forced: measuring for the typical time, then data, then back to sleep', () => {
    const { chip, write, clock } = setup();
    write(0xf2, 0x01);
    write(0xf4, 0x25);
    expect(chip.peek(0xf3)).toBe(0x08);
    expect(chip.peek(0xf4)).toBe(0x25);
    clock.advance(7.99); // typical x1/x1/x1: 1 + 2 + 2.5 + 2.5 = 8 ms
    expect(chip.peek(0xf3)).toBe(0x08);
    expect(hexBytes(chip.read(0xf7, 8))).toBe('80 00 00 80 00 00 80 00'); // not yet
    clock.advance(0.01);
    expect(chip.peek(0xf3)).toBe(0x00);
    expect(chip.peek(0xf4)).toBe(0x24); // mode bits back to sleep (§3.3.2)
    expect(burst(chip)).toEqual({ adcP: 339360, adcT: 532224, adcH: 28404 });
  });

  it('applies ctrl_hum only at the next ctrl_meas write (§5.4.3)', () => {
    const { chip, write, clock } = setup();
    write(0xf4, 0x27); // normal mode while ctrl_hum is still 0
    clock.advance(100);
    expect(burst(chip).adcH).toBe(0x8000);
    write(0xf2, 0x01);
    clock.advance(2000);
    expect(burst(chip).adcH).toBe(0x8000); // still skipped
    write(0xf4, 0x27);
    clock.advance(100);
    expect(burst(chip).adcH).toBe(28404);
  });

  it('quantises T and P to 16 bits at x1 and one more bit per oversampling doubling', () => {
    const { chip, write, clock } = setup();
    chip.setConditions({ temperatureC: 21.2345, pressurePa: 99_876.5 });
    const convert = (osrs: number) => {
      write(0xf4, (osrs << 5) | (osrs << 2) | 0x01);
      clock.advance(100);
      return burst(chip);
    };
    const exact = convert(5); // x16: all 20 bits
    for (const [code, step] of [
      [1, 16],
      [2, 8],
      [3, 4],
      [4, 2],
    ] as const) {
      const { adcT, adcP } = convert(code);
      expect([adcT % step, adcP % step]).toEqual([0, 0]);
      expect(Math.abs(adcT - exact.adcT)).toBeLessThanOrEqual(step / 2);
      expect(Math.abs(adcP - exact.adcP)).toBeLessThanOrEqual(step / 2);
    }
    expect([exact.adcT % 16, exact.adcP % 16]).not.toEqual([0, 0]);
  });

  it('reads 0x80000 / 0x8000 for channels switched off', () => {
    const { chip, write, clock } = setup();
    write(0xf2, 0x00);
    write(0xf4, 0x21); // osrs_t x1, osrs_p skipped, forced
    clock.advance(10);
    const { adcT, adcP, adcH } = burst(chip);
    expect([adcP, adcH]).toEqual([0x80000, 0x8000]);
    expect(adcT).toBe(532224);
  });

  it('normal: repeats every t_measure + t_standby and ignores config writes meanwhile', () => {
    const { chip, write, clock } = setup();
    write(0xf5, 0x20); // t_sb 62.5 ms
    write(0xf4, 0x27); // x1, x1, humidity off: typical 1 + 2 + 2.5 = 5.5 ms, period 68 ms
    const measuringAt = (t: number) => {
      clock.advance(t - (clock.now() - start));
      return (chip.peek(0xf3) & 0x08) !== 0;
    };
    const start = clock.now();
    expect([0, 5.4, 5.6, 67.9, 68.1, 73.4, 73.6].map(measuringAt)).toEqual([true, true, false, false, true, true, false]);
    write(0xf5, 0xa0);
    expect(chip.peek(0xf5)).toBe(0x20); // ignored in normal mode (§5.4.6)
    write(0xf4, 0x24);
    write(0xf5, 0xa0);
    expect(chip.peek(0xf5)).toBe(0xa0); // taken in sleep mode
  });

  it('filters T and P with the IIR filter (§3.4.4)', () => {
    const { chip, write, clock } = setup();
    write(0xf5, 0x04); // filter coefficient 2, t_sb 0.5 ms
    write(0xf4, 0xb7); // x16, x16, normal: period 1 + 32 + 32.5 + 0.5 = 66 ms
    clock.advance(66 * 10);
    const before = burst(chip).adcT;
    chip.setConditions({ temperatureC: 30 });
    clock.advance(66); // one more conversion: halfway
    const half = burst(chip).adcT;
    clock.advance(66 * 40);
    const after = burst(chip).adcT;
    expect(half).toBe(Math.round((before + after) / 2));
  });

  it('returns one conversion per burst; separate reads can straddle two (why the driver bursts)', () => {
    const { chip, write, clock } = setup();
    write(0xf2, 0x01);
    write(0xf4, 0xb7); // x16 normal, t_sb 0.5 ms: a conversion completes every 66 ms
    clock.advance(100);
    const a = burst(chip);
    chip.setConditions({ temperatureC: 35 });
    const msb = chip.peek(0xfa); // still conversion A
    clock.advance(66);
    const [lsb = 0, xlsb = 0] = chip.read(0xfb, 2); // conversion B
    const b = burst(chip);
    const mixed = (msb << 12) | (lsb << 4) | (xlsb >> 4);
    expect(b.adcT).not.toBe(a.adcT);
    expect(mixed).not.toBe(a.adcT);
    expect(mixed).not.toBe(b.adcT);
  });
});

describe('Bme280Emulator faults and inputs', () => {
  it('keeps the measuring bit set when stuck, and skips one conversion when told to', () => {
    const { chip, write, clock } = setup();
    chip.setFaults({ stuckMeasuring: true });
    write(0xf4, 0x25);
    clock.advance(1000);
    expect(chip.peek(0xf3) & 0x08).toBe(0x08);
    expect(burst(chip).adcT).toBe(0x80000);
    chip.setFaults({ skipNextMeasurement: true });
    clock.advance(1);
    expect(hexBytes(chip.read(0xf7, 8))).toBe('80 00 00 80 00 00 80 00');
    write(0xf4, 0x25);
    clock.advance(10);
    expect(burst(chip).adcT).toBe(532224); // only the next one was skipped
    chip.setFaults({ chipId: 0x61 });
    expect(chip.peek(0xd0)).toBe(0x61);
  });

  it('refuses conditions the chip cannot report', () => {
    const { chip } = setup();
    expect(() => chip.setConditions({ humidityRH: 101 })).toThrow('humidityRH must be within 0..100, got 101');
    expect(() => chip.setConditions({ temperatureC: 90 })).toThrow(/temperatureC must be within -40..85/);
    expect(() => chip.setConditions({ pressurePa: 1013.25 })).toThrow(/pressurePa must be within 30000..110000/); // hPa by mistake
  });
});
