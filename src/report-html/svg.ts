/**
 * Charts as plain inline SVG strings: no library, no script, nothing fetched. A report must
 * open from disk years later, offline, in any browser, and these charts need nothing a static
 * drawing cannot show (bars, a stacked bar, counts over time). Every label is escaped.
 */
import { html, type Html } from './escape.js';

export interface BarItem {
  readonly label: string;
  readonly value: number;
  readonly color: string;
}

const FONT = 'font-family="system-ui, sans-serif" font-size="12"';
/** The font attributes, as trusted markup (a constant, never user data). */
const FONT_ATTRS = { html: FONT };

function formatCount(n: number): string {
  return n.toLocaleString('en-GB');
}

/** One stacked bar across the width: each item's share of the total, with a legend under it. */
export function stackedBar(title: string, items: readonly BarItem[], width = 720): Html {
  const shown = items.filter((i) => i.value > 0);
  const total = shown.reduce((sum, i) => sum + i.value, 0);
  const barHeight = 28;
  const legendTop = barHeight + 18;
  const height = legendTop + 20 * Math.ceil(shown.length / 3) + 4;
  let x = 0;
  const segments = shown.map((item) => {
    const w = total === 0 ? 0 : (item.value / total) * width;
    const segment = html`<rect x="${x.toFixed(2)}" y="0" width="${w.toFixed(2)}" height="${barHeight}" fill="${item.color}"><title>${item.label}: ${formatCount(item.value)}</title></rect>`;
    x += w;
    return segment;
  });
  const legend = shown.map((item, i) => {
    const lx = (i % 3) * (width / 3);
    const ly = legendTop + Math.floor(i / 3) * 20;
    const share = total === 0 ? 0 : Math.round((item.value / total) * 1000) / 10;
    return html`<rect x="${lx}" y="${ly - 10}" width="12" height="12" fill="${item.color}"/><text x="${lx + 18}" y="${ly}" ${FONT_ATTRS}>${item.label}: ${formatCount(item.value)} (${share}%)</text>`;
  });
  return html`<svg role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${title}</title>${segments}${legend}</svg>`;
}

/** Horizontal bars, one per item, longest first as given, with the count at the end. */
export function horizontalBars(title: string, items: readonly BarItem[], width = 720): Html {
  const labelWidth = 240;
  const countWidth = 70;
  const rowHeight = 22;
  const height = Math.max(1, items.length) * rowHeight + 4;
  const max = Math.max(1, ...items.map((i) => i.value));
  const barSpace = width - labelWidth - countWidth;
  const rows = items.map((item, i) => {
    const y = i * rowHeight + 2;
    const w = Math.max(1, (item.value / max) * barSpace);
    const label = item.label.length > 34 ? `${item.label.slice(0, 33)}…` : item.label;
    return html`<text x="${labelWidth - 8}" y="${y + 15}" text-anchor="end" ${FONT_ATTRS}>${label}<title>${item.label}</title></text><rect x="${labelWidth}" y="${y + 3}" width="${w.toFixed(2)}" height="${rowHeight - 6}" fill="${item.color}"/><text x="${labelWidth + w + 6}" y="${y + 15}" ${FONT_ATTRS}>${formatCount(item.value)}</text>`;
  });
  return html`<svg role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${title}</title>${rows}</svg>`;
}

export interface SeriesBucket {
  readonly requests: number;
  readonly rateLimited: number;
  readonly serverErrors: number;
  readonly networkErrors: number;
}

/** "45 s", "3 min 20 s", "1 h 5 min": a time offset from the run's start. */
export function formatOffset(ms: number): string {
  const s = Math.round(ms / 1000);
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min${s % 60 !== 0 ? ` ${s % 60} s` : ''}`;
  return `${Math.floor(s / 3600)} h${Math.floor((s % 3600) / 60) !== 0 ? ` ${Math.floor((s % 3600) / 60)} min` : ''}`;
}

/**
 * Requests per minute over the run (grey bars, answered ones), with the 429s, 5xx and network
 * errors of each time slice stacked on top in their own colours.
 */
export function requestTimeline(title: string, buckets: readonly SeriesBucket[], bucketMs: number, width = 720): Html {
  const left = 52;
  const bottom = 22;
  const plotHeight = 160;
  const height = plotHeight + bottom + 8;
  const plotWidth = width - left - 8;
  const perMinute = 60_000 / bucketMs;
  const max = Math.max(1, ...buckets.map((b) => b.requests)) * perMinute;
  const slot = plotWidth / Math.max(1, buckets.length);
  const y = (value: number) => 4 + plotHeight - (value / max) * plotHeight;
  const bars = buckets.map((b, i) => {
    const x = left + i * slot;
    const w = Math.max(0.5, slot - (slot > 3 ? 1 : 0));
    const ok = (b.requests - b.rateLimited - b.serverErrors - b.networkErrors) * perMinute;
    const layers: Array<[number, string]> = [
      [ok, '#7a8ca3'],
      [b.serverErrors * perMinute, '#e07b00'],
      [b.networkErrors * perMinute, '#555'],
      [b.rateLimited * perMinute, '#d62728'],
    ];
    let base = 0;
    const rects = layers
      .filter(([value]) => value > 0)
      .map(([value, color]) => {
        const top = y(base + value);
        const rect = html`<rect x="${x.toFixed(2)}" y="${top.toFixed(2)}" width="${w.toFixed(2)}" height="${(y(base) - top).toFixed(2)}" fill="${color}"/>`;
        base += value;
        return rect;
      });
    const tip = `${formatOffset(i * bucketMs)}–${formatOffset((i + 1) * bucketMs)}: ${b.requests} requests (${Math.round(b.requests * perMinute)}/min), ${b.rateLimited} × 429, ${b.serverErrors} × 5xx, ${b.networkErrors} network errors`;
    return html`<g><title>${tip}</title>${rects}</g>`;
  });
  const ticks = [0, 0.5, 1].map((f) => {
    const value = Math.round(max * f);
    return html`<line x1="${left - 4}" x2="${width - 8}" y1="${y(value).toFixed(2)}" y2="${y(value).toFixed(2)}" stroke="#ddd"/><text x="${left - 6}" y="${(y(value) + 4).toFixed(2)}" text-anchor="end" ${FONT_ATTRS}>${formatCount(value)}</text>`;
  });
  const total = buckets.length * bucketMs;
  const xLabels = [0, 0.5, 1].map((f) => {
    const anchor = f === 0 ? 'start' : f === 1 ? 'end' : 'middle';
    return html`<text x="${(left + plotWidth * f).toFixed(2)}" y="${height - 4}" text-anchor="${anchor}" ${FONT_ATTRS}>${formatOffset(total * f)}</text>`;
  });
  return html`<svg role="img" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}"><title>${title}</title>${ticks}${bars}${xLabels}</svg>`;
}
