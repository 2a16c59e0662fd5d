/** The Sensors page's version line: each sensor's version, and those behind the newest marked. */
import { describe, expect, it } from 'vitest';
import { sensorsPage } from '../../../src/analyzer/web/pages.js';

const window = { from: 0, to: 1 };
const sensor = (host: string, version?: string) => ({ host, version, latest: [], series: [] });

describe('sensorsPage', () => {
  it("shows each sensor's version and marks those behind the newest any sensor runs (store/sensor-data.ts newestSensorVersion)", () => {
    const page = sensorsPage(
      [sensor('a', '0.2.0'), sensor('b', '0.1.0'), sensor('c', '0.10.0'), sensor('d'), sensor('e', '<b>0.9</b>')],
      window,
      { where: '' },
      '0.10.0',
    ).text;
    const line = (host: string) =>
      /<section class="card" data-sensor="([^"]+)"><h2>[^<]*<\/h2>\n(<div [^\n]*<\/div>)/g.exec(page.slice(page.indexOf(`data-sensor="${host}"`) - 30))?.[2];
    expect(line('c')).toBe('<div class="muted" data-version="0.10.0">envirowatch 0.10.0</div>');
    expect(line('a')).toBe('<div class="state-warning" data-version="0.2.0">envirowatch 0.2.0, behind 0.10.0</div>');
    expect(line('b')).toBe('<div class="state-warning" data-version="0.1.0">envirowatch 0.1.0, behind 0.10.0</div>');
    expect(line('d')).toBe('<div class="muted" data-version="">version unknown (its heartbeat has none)</div>');
    expect(line('e')).toBe('<div class="state-warning" data-version="&lt;b&gt;0.9&lt;/b&gt;">envirowatch &lt;b&gt;0.9&lt;/b&gt;, behind 0.10.0</div>');
  });
});
