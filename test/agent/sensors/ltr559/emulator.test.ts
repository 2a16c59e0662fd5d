import { describe, expect, it } from 'vitest';
import { ManualClock } from '../../../../src/common/clock.js';
import { Ltr559Emulator } from '../../../../src/agent/sensors/ltr559/emulator.js';
import type { Ltr559Conditions } from '../../../../src/agent/sensors/ltr559/emulator.js';

const bytes = (...values: number[]) => Uint8Array.of(...values);

/** A chip at 350 lux, ratio 0.3, set to 4x / 100 ms integration / 100 ms repeat and active. */
function activeChip(conditions: Partial<Ltr559Conditions> = { lux: 350 }) {
  const clock = new ManualClock();
  const chip = new Ltr559Emulator({ clock, conditions });
  chip.write(0x85, bytes(0x01)); // ALS_MEAS_RATE: integration code 0 (100 ms) << 3 | repeat code 1 (100 ms)
  chip.write(0x80, bytes(0x09)); // ALS_CONTR: gain code 2 (4x) << 2 | active
  return { clock, chip };
}

describe('LTR-559 emulator: identity and reset', () => {
  it('answers PART_ID 0x92 and MANUFAC_ID 0x05 with auto-increment, and power-on defaults', () => {
    const chip = new Ltr559Emulator({ clock: new ManualClock() });
    expect(chip.read(0x86, 2)).toEqual(bytes(0x92, 0x05)); // PART_ID, MANUFAC_ID
    expect(chip.peek(0x80)).toBe(0x00); // ALS_CONTR: standby
    expect(chip.peek(0x85)).toBe(0x03); // ALS_MEAS_RATE: 100 ms / 500 ms
    expect(chip.peek(0x8c)).toBe(0x00); // ALS_PS_STATUS: nothing yet
  });

  it('ignores writes to read-only registers', () => {
    const chip = new Ltr559Emulator({ clock: new ManualClock() });
    chip.write(0x86, bytes(0x00));
    chip.write(0x8c, bytes(0xff));
    expect(chip.read(0x86, 1)).toEqual(bytes(0x92));
    expect(chip.peek(0x8c)).toBe(0x00);
  });

  it('auto-increments multi-byte writes and reads', () => {
    const chip = new Ltr559Emulator({ clock: new ManualClock() });
    chip.write(0x97, bytes(0x34, 0x12, 0x78, 0x56)); // ALS_THRES_UP 0x1234, ALS_THRES_LOW 0x5678
    expect(chip.read(0x97, 4)).toEqual(bytes(0x34, 0x12, 0x78, 0x56));
  });

  it('software reset restores defaults and its bit reads back 0', () => {
    const { chip } = activeChip();
    chip.write(0x80, bytes(0x02)); // ALS_CONTR: SW reset
    expect(chip.peek(0x80)).toBe(0x00);
    expect(chip.peek(0x85)).toBe(0x03);
  });

  it('fault: reset bit stuck', () => {
    const { chip } = activeChip();
    chip.setFaults({ resetStuck: true });
    chip.write(0x80, bytes(0x02));
    expect(chip.peek(0x80) & 0x02).toBe(0x02);
  });

  it('fault: a different chip id', () => {
    const chip = new Ltr559Emulator({ clock: new ManualClock() });
    chip.setFaults({ partId: 0xa0, manufacturerId: 0x05 }); // an LTR-329's PART_ID
    expect(chip.read(0x86, 2)).toEqual(bytes(0xa0, 0x05));
  });
});

describe('LTR-559 emulator: measurement cycle', () => {
  it('produces the first conversion after wake-up (10 ms) + integration (100 ms), then every period', () => {
    const { clock, chip } = activeChip();
    clock.advance(109);
    expect(chip.peek(0x8c)).toBe(0x80); // invalid: the gain was just changed from the power-on 1x
    clock.advance(1);
    expect(chip.peek(0x8c)).toBe(0x24); // valid, data gain code 2 (4x) in bits 6:4, ALS new data
    // 350 lux, ratio 0.3, 4x, 100 ms → ch0 623 = 0x026F, ch1 267 = 0x010B
    expect(chip.read(0x88, 4)).toEqual(bytes(0x0b, 0x01, 0x6f, 0x02)); // CH1 lo, CH1 hi, CH0 lo, CH0 hi
    expect(chip.peek(0x8c)).toBe(0x20); // new-data cleared by reading the data
    clock.advance(99);
    expect(chip.peek(0x8c)).toBe(0x20);
    clock.advance(1);
    expect(chip.peek(0x8c)).toBe(0x24);
  });

  it('stretches a repeat rate shorter than the integration time to it', () => {
    const clock = new ManualClock();
    const chip = new Ltr559Emulator({ clock, conditions: { lux: 100 } });
    chip.write(0x85, bytes((3 << 3) | 0)); // integration 400 ms, repeat 50 ms
    chip.write(0x80, bytes(0x01)); // 1x, active
    clock.advance(410);
    chip.read(0x88, 4);
    clock.advance(399);
    expect(chip.peek(0x8c) & 0x04).toBe(0);
    clock.advance(1);
    expect(chip.peek(0x8c) & 0x04).toBe(0x04);
  });

  it('stops converting in standby', () => {
    const { clock, chip } = activeChip();
    clock.advance(110);
    chip.read(0x88, 4);
    chip.write(0x80, bytes(0x08)); // 4x, standby
    clock.advance(1000);
    expect(chip.peek(0x8c) & 0x04).toBe(0);
  });

  it('marks the data invalid after a gain change until the next conversion', () => {
    const { clock, chip } = activeChip();
    clock.advance(110);
    chip.read(0x88, 4);
    chip.write(0x80, bytes(0x0d)); // gain code 3 (8x) << 2 | active
    expect(chip.peek(0x8c)).toBe(0xa0); // invalid, data still measured at 4x (code 2)
    clock.advance(100);
    expect(chip.peek(0x8c)).toBe(0x34); // valid, 8x (code 3), new data
    // 350 lux at 8x: ch0 = 350·80000 / 22482.57 = 1245.4 → 1245 = 0x04DD, ch1 = 533.7 → 534 = 0x0216
    expect(chip.read(0x88, 4)).toEqual(bytes(0x16, 0x02, 0xdd, 0x04));
  });

  it('clips bright light at 0xFFFF', () => {
    const { clock, chip } = activeChip({ lux: 50000 });
    clock.advance(110);
    // ch0 88 958 → 0xFFFF; ch1 38 125 = 0x94ED
    expect(chip.read(0x88, 4)).toEqual(bytes(0xed, 0x94, 0xff, 0xff));
  });

  it('light beyond the range marks the conversion invalid; the next one in range is valid again', () => {
    const { clock, chip } = activeChip({ lux: 50000 });
    clock.advance(110);
    expect(chip.peek(0x8c)).toBe(0xa4); // invalid | data gain 4x | ALS new
    chip.read(0x88, 4);
    chip.setConditions({ lux: 350 });
    clock.advance(100);
    expect(chip.peek(0x8c)).toBe(0x24);
  });

  it('fault: no new data', () => {
    const { clock, chip } = activeChip();
    clock.advance(110);
    expect(chip.peek(0x8c)).toBe(0x24); // data gain 4x | ALS new
    chip.setFaults({ noNewData: true });
    chip.read(0x88, 4);
    clock.advance(1000);
    expect(chip.peek(0x8c)).toBe(0x20);
  });

  it('rejects conditions the chip cannot produce', () => {
    const chip = new Ltr559Emulator({ clock: new ManualClock() });
    expect(() => chip.setConditions({ ch1Ratio: 0.9 })).toThrow(RangeError);
    expect(() => chip.setConditions({ proximity: 2048 })).toThrow(RangeError);
    expect(() => chip.setConditions({ lux: Number.NaN })).toThrow(RangeError);
  });
});

describe('LTR-559 emulator: data register locking (datasheet p. 20/40)', () => {
  it('holds CH0 to the conversion whose CH1 was read, even across transactions', () => {
    const { clock, chip } = activeChip();
    clock.advance(110);
    expect(chip.read(0x88, 2)).toEqual(bytes(0x0b, 0x01)); // CH1 = 267: locks 0x88..0x8B
    chip.setConditions({ lux: 700 });
    clock.advance(100); // a conversion finishes while locked: it waits in the shadow registers
    expect(chip.read(0x8a, 2)).toEqual(bytes(0x6f, 0x02)); // CH0 = 623, same conversion as CH1
    expect(chip.peek(0x8c) & 0x04).toBe(0x04); // unlocked: the waiting conversion is now new data
    // 700 lux: ch0 1245.4 → 1245 = 0x04DD, ch1 533.7 → 534 = 0x0216
    expect(chip.read(0x88, 4)).toEqual(bytes(0x16, 0x02, 0xdd, 0x04));
  });

  it('reading CH0 before CH1 can pair two different conversions (why drivers read 0x88 first)', () => {
    const { clock, chip } = activeChip();
    clock.advance(110);
    const ch0 = chip.read(0x8a, 2); // 0x8A..0x8B: lock taken and released in one go
    chip.setConditions({ lux: 700 });
    clock.advance(100);
    const ch1 = chip.read(0x88, 2);
    expect(ch0).toEqual(bytes(0x6f, 0x02)); // 623 from the 350 lux conversion
    expect(ch1).toEqual(bytes(0x16, 0x02)); // 534 from the 700 lux one
  });
});

describe('LTR-559 emulator: proximity', () => {
  it('reports the 11-bit PS count and the saturation flag only when the indicator is enabled', () => {
    const clock = new ManualClock();
    const chip = new Ltr559Emulator({ clock, conditions: { proximity: 1500, proximitySaturated: true } });
    chip.write(0x81, bytes(0x03)); // PS_CONTR: active, saturation indicator off
    clock.advance(10);
    expect(chip.peek(0x8c)).toBe(0x01); // PS new data
    // 1500 = 0x5DC → PS_DATA_0 0xDC, PS_DATA_1 0x05 (flag suppressed)
    expect(chip.read(0x8c, 3)).toEqual(bytes(0x01, 0xdc, 0x05)); // status, PS low, PS high
    expect(chip.peek(0x8c)).toBe(0x00); // PS new-data cleared by the read
    chip.write(0x81, bytes(0x23)); // indicator on (mode stays active)
    clock.advance(100); // PS_MEAS_RATE default code 2 = 100 ms
    expect(chip.read(0x8d, 2)).toEqual(bytes(0xdc, 0x85)); // bit 7: saturated
  });
});
