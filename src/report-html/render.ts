/**
 * The HTML report: one self-contained page beside the workbook, for the people who sign a run
 * off. It holds no script and loads nothing (a Content-Security-Policy forbids both, so even a
 * cell that slipped past escaping could not run), and opens from disk, offline.
 *
 * Sections: the Summary's equation; outcomes as a chart; errors by column and by reason, with
 * the first examples of each and their source row numbers; requests and 429s over time; the
 * slowest and most-retried rows; and the run's details from the manifest.
 */
import type { RunManifest } from '../audit/manifest.js';
import type { ErrorExample, RowTiming, RunRecord } from '../audit/run-record.js';
import { ROW_STATUSES } from '../outcome/row-outcome.js';
import { html, raw, type Html } from './escape.js';
import { formatOffset, horizontalBars, requestTimeline, stackedBar } from './svg.js';

export interface HtmlReportModel {
  readonly title: string;
  readonly manifest: RunManifest;
  readonly record: RunRecord;
  readonly pool: {
    readonly requests: number;
    readonly retries: number;
    readonly rateLimited429: number;
    readonly serverErrors: number;
    readonly transportErrors: number;
    readonly pausedMs: number;
  };
  /** The workbook's file name, for "see the Errors sheet of …". */
  readonly workbookName: string;
}

export const STATUS_COLORS: Readonly<Record<string, string>> = {
  sent: '#2ca02c',
  valid: '#17becf',
  invalid: '#e6a100',
  failed: '#d62728',
  skipped: '#9e9e9e',
  unknown: '#9467bd',
};
/** The row model's statuses, in the order the accounting equation names them. */
const STATUS_ORDER: readonly string[] = ROW_STATUSES;
/** Columns shown in the chart; the table under it lists every one. */
const CHART_COLUMNS = 15;

const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

const STYLE = `
body { font-family: system-ui, -apple-system, "Segoe UI", sans-serif; margin: 0; color: #1d2733; background: #f5f7fa; }
main { max-width: 980px; margin: 0 auto; padding: 24px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 17px; margin: 0 0 12px; }
section { background: #fff; border: 1px solid #dfe4ea; border-radius: 6px; padding: 16px 20px; margin: 16px 0; overflow-x: auto; }
.sub { color: #5b6675; margin: 0 0 8px; font-size: 13px; }
svg { max-width: 100%; height: auto; display: block; }
.equation { font-size: 20px; font-weight: 600; }
.ok { color: #2ca02c; } .bad { color: #d62728; }
table { border-collapse: collapse; width: 100%; font-size: 13px; }
th, td { text-align: left; padding: 4px 8px; border-bottom: 1px solid #eef1f4; vertical-align: top; }
th { background: #f0f3f6; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
code, .mono { font-family: ui-monospace, Menlo, Consolas, monospace; font-size: 12px; word-break: break-all; }
.legend span { display: inline-block; margin-right: 14px; font-size: 12px; }
.legend i { display: inline-block; width: 10px; height: 10px; margin-right: 4px; }
.none { color: #5b6675; font-style: italic; }
`;

function count(n: number): string {
  return n.toLocaleString('en-GB');
}

/** The last part of a manifest path (always written with forward slashes). */
function fileName(path: string): string {
  return path.slice(path.lastIndexOf('/') + 1);
}

function seconds(ms: number): string {
  return ms < 1000 ? `${ms} ms` : `${(ms / 1000).toFixed(1)} s`;
}

function summarySection(model: HtmlReportModel): Html {
  const { manifest } = model;
  const counts = manifest.summary.counts;
  const settled = STATUS_ORDER.reduce((sum, s) => sum + (counts[s] ?? 0), 0);
  const adds = settled === (counts.read ?? 0);
  return html`<section id="summary"><h2>Summary</h2>
<p class="equation">${manifest.summary.equation} <span class="${adds ? 'ok' : 'bad'}">${adds ? '✓ every row is accounted for' : '✗ the counts do not add up'}</span></p>
<table><tbody>
<tr><th>File</th><td>${fileName(manifest.input.path)}${manifest.input.sheet !== undefined ? ` (sheet ${manifest.input.sheet})` : ''}</td></tr>
<tr><th>Entity</th><td>${manifest.entity}</td></tr>
<tr><th>API</th><td>${manifest.api.baseUrl}</td></tr>
<tr><th>Started</th><td>${manifest.startedAt}</td></tr>
<tr><th>Ended</th><td>${manifest.endedAt}</td></tr>
<tr><th>Requests</th><td>${count(model.pool.requests)} (${count(model.pool.retries)} retries, ${count(model.pool.rateLimited429)} × 429 Too Many Requests, ${count(model.pool.serverErrors)} × 5xx, ${count(model.pool.transportErrors)} network errors; paused ${seconds(model.pool.pausedMs)} for 429s)</td></tr>
<tr><th>Workbook</th><td>${model.workbookName}: the Results sheet has every row, the Errors sheet the rows to fix and import again</td></tr>
</tbody></table></section>`;
}

function outcomesSection(counts: Readonly<Record<string, number>>): Html {
  const items = STATUS_ORDER.map((status) => ({ label: status, value: counts[status] ?? 0, color: STATUS_COLORS[status] as string }));
  const extra = Object.keys(counts).filter((k) => k !== 'read' && !STATUS_ORDER.includes(k));
  for (const status of extra) items.push({ label: status, value: counts[status] ?? 0, color: '#333' });
  return html`<section id="outcomes"><h2>Outcomes</h2>${stackedBar('Rows by outcome', items)}</section>`;
}

function examplesList(examples: readonly ErrorExample[]): Html {
  return html`${examples.map(
    (e, i) => html`${i > 0 ? raw('<br>') : ''}row ${e.row}${e.column !== '' ? `, ${e.column}` : ''}${e.value !== '' ? html`: <code>${e.value}</code>` : ''} — ${e.message}`,
  )}`;
}

function errorsSection(record: RunRecord, workbookName: string): Html {
  const total = record.errorsByReason.reduce((sum, r) => sum + r.count, 0);
  if (total === 0) return html`<section id="errors"><h2>Errors</h2><p class="none">No row was invalid, failed or left unknown.</p></section>`;
  const columns = record.errorsByColumn.slice(0, CHART_COLUMNS).map((c) => ({ label: c.column, value: c.count, color: '#d62728' }));
  return html`<section id="errors"><h2>Errors by column</h2>
${horizontalBars('Errors by column', columns)}
${record.errorsByColumn.length > CHART_COLUMNS ? html`<p class="sub">The ${CHART_COLUMNS} columns with the most errors; all ${record.errorsByColumn.length} are in the table below.</p>` : ''}
<table><thead><tr><th>Column</th><th class="n">Errors</th></tr></thead><tbody>
${record.errorsByColumn.map((c) => html`<tr><td>${c.column}</td><td class="n">${count(c.count)}</td></tr>`)}
</tbody></table></section>
<section id="reasons"><h2>Errors by reason, with the first examples</h2>
<p class="sub">${count(total)} errors. Values in quotes and long numbers are left out of a reason so that the same problem counts once; the examples show them. Every failing row is on the Errors sheet of ${workbookName}.</p>
<table><thead><tr><th>Reason</th><th class="n">Count</th><th>First examples (source row, column, value)</th></tr></thead><tbody>
${record.errorsByReason.map((r) => html`<tr><td>${r.reason}</td><td class="n">${count(r.count)}</td><td>${examplesList(r.examples)}</td></tr>`)}
</tbody></table></section>`;
}

function timelineSection(record: RunRecord): Html {
  const { timeline } = record;
  const requests = timeline.buckets.reduce((sum, b) => sum + b.requests, 0);
  if (requests === 0) return html`<section id="requests"><h2>Requests over time</h2><p class="none">No request was sent.</p></section>`;
  const rateLimited = timeline.buckets.reduce((sum, b) => sum + b.rateLimited, 0);
  return html`<section id="requests"><h2>Requests over time</h2>
<p class="sub">Requests per minute, in slices of ${formatOffset(timeline.bucketMs)}; ${count(rateLimited)} answered 429 Too Many Requests.</p>
${requestTimeline('Requests per minute over the run, with 429s, 5xx and network errors', timeline.buckets, timeline.bucketMs)}
<p class="legend"><span><i style="background:#7a8ca3"></i>answered</span><span><i style="background:#d62728"></i>429 Too Many Requests</span><span><i style="background:#e07b00"></i>5xx</span><span><i style="background:#555"></i>network error or timeout</span></p>
</section>`;
}

function rowTable(rows: readonly RowTiming[]): Html {
  return html`<table><thead><tr><th class="n">Row</th><th>Status</th><th class="n">Time</th><th class="n">Requests</th><th class="n">Retries</th><th class="n">429s</th><th>Message</th></tr></thead><tbody>
${rows.map((r) => html`<tr><td class="n">${r.row}</td><td>${r.status}</td><td class="n">${seconds(r.spanMs)}</td><td class="n">${r.requests}</td><td class="n">${r.retries}</td><td class="n">${r.rateLimited}</td><td>${r.message}</td></tr>`)}
</tbody></table>`;
}

function rowsSection(record: RunRecord): Html {
  return html`<section id="slowest"><h2>Slowest rows</h2>
<p class="sub">From a row's first request leaving to its last answer, waits between retries included.</p>
${record.slowest.length > 0 ? rowTable(record.slowest) : html`<p class="none">No row sent a request.</p>`}</section>
<section id="retried"><h2>Most-retried rows</h2>
${record.mostRetried.length > 0 ? rowTable(record.mostRetried) : html`<p class="none">No request was retried.</p>`}</section>`;
}

function detailsSection(manifest: RunManifest): Html {
  return html`<section id="details"><h2>Run details (from the manifest)</h2>
<table><tbody>
<tr><th>Tool</th><td>${manifest.tool.name} ${manifest.tool.version} on Node ${manifest.tool.node}</td></tr>
<tr><th>Command</th><td class="mono">${manifest.commandLine.join(' ')}</td></tr>
<tr><th>Input file</th><td class="mono">${manifest.input.path} (relative to the manifest's folder)</td></tr>
<tr><th>Input SHA-256</th><td class="mono">${manifest.input.sha256} (${count(manifest.input.size)} bytes)</td></tr>
<tr><th>Outcome digest</th><td class="mono">${manifest.outcomes.sha256} (${count(manifest.outcomes.rows)} rows)</td></tr>
<tr><th>Account</th><td class="mono">${manifest.api.accountUuid}</td></tr>
<tr><th>Columns ignored</th><td>${manifest.ignoredColumns.join('; ') || '(none)'}</td></tr>
</tbody></table>
<h2 style="margin-top:16px">Mapping</h2>
<table><thead><tr><th>Column in the file</th><th>Field</th></tr></thead><tbody>
${manifest.mapping.map((m) => html`<tr><td>${m.column >= 0 ? m.header : '(constant from --mapping)'}</td><td>${m.field}</td></tr>`)}
</tbody></table></section>`;
}

export function renderHtmlReport(model: HtmlReportModel): string {
  const { manifest, record } = model;
  const page = html`<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${model.title}</title>
<style>${raw(STYLE)}</style></head>
<body><main>
<h1>${model.title}</h1>
<p class="sub">${manifest.startedAt} to ${manifest.endedAt} · ${manifest.tool.name} ${manifest.tool.version}</p>
${summarySection(model)}
${outcomesSection(manifest.summary.counts)}
${errorsSection(record, model.workbookName)}
${timelineSection(record)}
${rowsSection(record)}
${detailsSection(manifest)}
</main></body></html>
`;
  return page.html;
}
