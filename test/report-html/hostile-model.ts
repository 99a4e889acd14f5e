/** A report model whose every user-supplied string tries to break out of the page. */
import { buildRunManifest } from '../../src/audit/manifest.js';
import { createRunRecorder } from '../../src/audit/run-record.js';
import type { HtmlReportModel } from '../../src/report-html/render.js';

export const SCRIPT = '<script>document.title="pwned"</script>';
export const BREAKOUT = '"><img src=x onerror="document.title=1">';
export const STYLE_BREAK = '</style><script>document.title=2</script>';

export function hostileModel(): HtmlReportModel {
  const started = Date.UTC(2026, 11, 1, 9, 0, 0);
  const recorder = createRunRecorder(started);
  for (let row = 2; row < 40; row++) {
    recorder.forRow(row, async () => {
      recorder.onRequest({ startedAt: started + row * 400, durationMs: 120, status: row % 9 === 0 ? 429 : 200, attempt: row % 9 === 0 ? 2 : 1 });
    });
    const bad = row % 4 === 0;
    recorder.add({
      position: { file: `${SCRIPT}.csv`, row },
      key: '',
      action: 'update',
      status: bad ? 'invalid' : 'sent',
      message: bad ? `${STYLE_BREAK} is not a number` : '',
      original: [BREAKOUT, SCRIPT],
      normalised: {},
      problems: bad ? [{ columnIndex: 0, column: SCRIPT, message: `${BREAKOUT} is not valid` }] : [],
    });
  }
  const record = recorder.snapshot();
  const manifest = buildRunManifest({
    tool: { name: 'plannr-bulk', version: '0.1.0', node: 'v20.0.0' },
    argv: ['node', 'main.js', 'import', `${SCRIPT}.csv`, '--entity', 'cases'],
    config: { entity: 'cases', normalise: {}, api: { baseUrl: `http://127.0.0.1:1/${SCRIPT}`, accountUuid: BREAKOUT, timeoutMs: 1000, token: 't' } },
    defaults: {},
    mapping: [{ header: SCRIPT, field: 'name', columnIndex: 0 }, { header: BREAKOUT, field: 'value', columnIndex: 1 }],
    ignoredColumns: [STYLE_BREAK],
    manifestFolder: '/reports',
    input: { path: `/reports/${SCRIPT}.csv`, size: 10, sha256: '0'.repeat(64) },
    report: { path: '/reports/r.xlsx', size: 10, sha256: '1'.repeat(64) },
    journal: { path: '/reports/r.journal', size: 10, sha256: '2'.repeat(64) },
    startedAt: started,
    endedAt: started + 20_000,
    utcOffsetMinutes: 0,
    equation: '38 read = 28 sent + 10 invalid',
    counts: { read: 38, sent: 28, invalid: 10 },
    outcomes: { rows: record.digest.rows, sha256: record.digest.hex },
  });
  return {
    title: `Import report: ${SCRIPT}.csv as cases`,
    manifest,
    record,
    pool: { requests: 38, retries: 4, rateLimited429: 4, serverErrors: 0, transportErrors: 0, pausedMs: 4000 },
    workbookName: `${BREAKOUT}.xlsx`,
  };
}
