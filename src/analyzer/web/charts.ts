/**
 * Small server-rendered SVG line charts (a sensor's last 24 h, a host's events per minute): pure
 * functions from points to markup, so the page needs no script and no charting library.
 */
import { html, type Html } from './html.js';

export interface ChartOptions {
  readonly points: readonly { readonly time: number; readonly value: number }[];
  /** The time axis: from, to (ms since the epoch). */
  readonly from: number;
  readonly to: number;
  readonly width?: number;
  readonly height?: number;
  /** Shown after the min/max labels, e.g. "degF". */
  readonly unit?: string;
  /** A gap longer than this between points breaks the line (a sensor that was silent). */
  readonly maxGapMs?: number;
  readonly label: string;
  /** The value axis starts here at most (0 for counts), instead of at the smallest value. */
  readonly floor?: number;
}

const round = (n: number) => Math.round(n * 10) / 10;

/** The polylines' `points` attributes, one per unbroken run, scaled into the plot area. */
export function chartPaths(
  options: ChartOptions,
  plot: { left: number; top: number; width: number; height: number },
): { paths: string[]; min: number; max: number } {
  const points = options.points.filter((p) => p.time >= options.from && p.time <= options.to && Number.isFinite(p.value));
  if (points.length === 0) return { paths: [], min: 0, max: 0 };
  let min = Math.min(options.floor ?? Infinity, ...points.map((p) => p.value));
  let max = Math.max(...points.map((p) => p.value));
  if (min === max) [min, max] = [min - 1, max + 1];
  const x = (time: number) => round(plot.left + ((time - options.from) / (options.to - options.from)) * plot.width);
  const y = (value: number) => round(plot.top + plot.height - ((value - min) / (max - min)) * plot.height);
  const paths: string[] = [];
  let run: string[] = [];
  let previous: number | undefined;
  for (const point of points) {
    if (previous !== undefined && options.maxGapMs !== undefined && point.time - previous > options.maxGapMs && run.length) {
      paths.push(run.join(' '));
      run = [];
    }
    run.push(`${x(point.time)},${y(point.value)}`);
    previous = point.time;
  }
  paths.push(run.join(' '));
  return { paths, min, max };
}

/** "11-24 07:04": the axis spans up to a day, so the date tells its ends apart. */
const stamp = (time: number) => new Date(time).toISOString().slice(5, 16).replace('T', ' ');

export function lineChart(options: ChartOptions): Html {
  const width = options.width ?? 480;
  const height = options.height ?? 120;
  const plot = { left: 48, top: 8, width: width - 56, height: height - 28 };
  const { paths, min, max } = chartPaths(options, plot);
  const unit = options.unit ? ` ${options.unit}` : '';
  return html`<svg class="chart" role="img" aria-label="${options.label}" viewBox="0 0 ${width} ${height}" width="${width}" height="${height}">
<rect class="plot" x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}"></rect>
${paths.length === 0 ? html`<text class="empty" x="${plot.left + plot.width / 2}" y="${plot.top + plot.height / 2}" text-anchor="middle">no data</text>` : ''}
${paths.map((points) => (points.includes(' ') ? html`<polyline points="${points}"></polyline>` : html`<circle r="2" cx="${points.split(',')[0]}" cy="${points.split(',')[1]}"></circle>`))}
${paths.length ? html`<text x="${plot.left - 4}" y="${plot.top + 10}" text-anchor="end">${round(max)}${unit}</text><text x="${plot.left - 4}" y="${plot.top + plot.height}" text-anchor="end">${round(min)}${unit}</text>` : ''}
<text x="${plot.left}" y="${height - 4}">${stamp(options.from)}</text><text x="${plot.left + plot.width}" y="${height - 4}" text-anchor="end">${stamp(options.to)} UTC</text>
</svg>`;
}
