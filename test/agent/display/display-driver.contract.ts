/**
 * The `DisplayDriver` contract (src/agent/display/driver.ts), one suite run against every
 * display driver on its register-level emulator, as MQTT.js runs test/node/abstract_store.ts
 * against every store: frames arrive exactly, only what changed is sent (a clock tick costs
 * under 10 % of a full frame), the returned stats are the traffic, and a failed transfer or
 * open is recovered by the next call. What only one controller does stays in its own tests.
 */
import { describe, expect, it } from 'vitest';
import type { DisplayDriver, TransferStats } from '../../../src/agent/display/driver.js';
import type { Frame } from '../../../src/agent/display/framebuffer.js';
import { DisplayHardwareError } from '../../../src/agent/display/hardware-error.js';
import { seeded, type Area } from '../../helpers/display-frames.js';

export interface DisplayDriverHarness<F extends Frame> {
  readonly driver: DisplayDriver;
  /** What the emulated glass shows, upright. */
  glass(): F;
  /** Bytes the emulated controller has received so far. */
  bytesReceived(): number;
  /** The next transfer to the controller fails, as its bus reports it. */
  failNextTransfer(): void;
  /** The errno that failure surfaces as, and how the error message names the display. */
  readonly failure: { readonly code: string; readonly message: RegExp };
  /** Lets the controller's own time pass after a failure (the ST7735 ignores commands 5 ms after SWRESET). */
  settle(): void;
  randomFrame(random: () => number): F;
  withChange(frame: F, area: Area, random: () => number): F;
  /** What a whole frame costs on this controller's bus. */
  readonly full: TransferStats;
  /** Where the clock sits on this display's screen, and what refreshing only it costs. */
  readonly clock: { readonly area: Area } & TransferStats;
}

export function describeDisplayDriverContract<F extends Frame>(name: string, create: () => DisplayDriverHarness<F>): void {
  describe(`DisplayDriver contract: ${name}`, () => {
    it('the first frame after open() is sent whole and shown exactly; the stats are the traffic the controller saw', async () => {
      const h = create();
      await h.driver.open();
      const frame = h.randomFrame(seeded(10));
      const before = h.bytesReceived();
      const stats = await h.driver.show(frame);
      expect(h.glass()).toEqual(frame);
      expect(stats).toEqual(h.full);
      expect(h.bytesReceived() - before).toBe(stats.bytes);
    });

    it('sends only changed windows, the picture stays exact over many updates, and an unchanged frame costs nothing', async () => {
      const h = create();
      const random = seeded(11);
      await h.driver.open();
      let frame = h.randomFrame(random);
      await h.driver.show(frame);
      for (let i = 0; i < 25; i++) {
        const width = 1 + Math.floor(random() * 60);
        const height = 1 + Math.floor(random() * 30);
        frame = h.withChange(
          frame,
          { x: Math.floor(random() * (h.driver.width - width)), y: Math.floor(random() * (h.driver.height - height)), width, height },
          random,
        );
        const before = h.bytesReceived();
        const stats = await h.driver.show(frame);
        expect(stats.bytes).toBe(h.bytesReceived() - before);
        expect(stats.bytes).toBeLessThanOrEqual(h.full.bytes);
        expect(h.glass()).toEqual(frame);
      }
      expect(await h.driver.show(frame)).toEqual({ bytes: 0, transactions: 0 });
    });

    it('a clock-only refresh costs under 10 % of a full refresh (bytes)', async () => {
      const h = create();
      const random = seeded(12);
      await h.driver.open();
      const frame = h.randomFrame(random);
      const full = await h.driver.show(frame);
      const ticked = h.withChange(frame, h.clock.area, random);
      const clock = await h.driver.show(ticked);
      expect(h.glass()).toEqual(ticked);
      expect(clock).toEqual({ bytes: h.clock.bytes, transactions: h.clock.transactions });
      expect(clock.bytes / full.bytes).toBeLessThan(0.1);
    });

    it('a transfer failing during show() rejects with a DisplayHardwareError; the next show() resends everything', async () => {
      const h = create();
      const random = seeded(13);
      await h.driver.open();
      const frame = h.randomFrame(random);
      await h.driver.show(frame);
      const next = h.withChange(frame, h.clock.area, random);
      h.failNextTransfer();
      const error = await h.driver.show(next).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(DisplayHardwareError);
      expect(error).toMatchObject({ code: h.failure.code, message: expect.stringMatching(h.failure.message) });
      expect(h.glass()).not.toEqual(next);
      expect(await h.driver.show(next)).toEqual(h.full);
      expect(h.glass()).toEqual(next);
    });

    it('open() after a failed open() recovers', async () => {
      const h = create();
      h.failNextTransfer();
      await expect(h.driver.open()).rejects.toBeInstanceOf(DisplayHardwareError);
      h.settle();
      await h.driver.open();
      const frame = h.randomFrame(seeded(14));
      await h.driver.show(frame);
      expect(h.glass()).toEqual(frame);
    });
  });
}
