/**
 * The migration's own workbooks, written with the project's XLSX writer: the migration report
 * (a Summary per file and in total with each file's row-accounting equation, and the rows held
 * back before any import, by file, row and legacy id) and the id map for the firm's records.
 * Each file's Results and Errors are in its own import report, named on the Summary.
 */
import { basename, relative } from 'node:path';
import { openXlsxWriter } from '../io/write-xlsx.js';
import type { IdMapEntry } from './id-map.js';
import type { FileSummary } from './run.js';

export async function writeIdMapWorkbook(path: string, entries: readonly IdMapEntry[]): Promise<void> {
  const writer = openXlsxWriter(path);
  try {
    const sheet = writer.addSheet('Id Map', {
      columns: [{ header: 'Entity', width: 16 }, { header: 'Legacy ID', width: 16 }, { header: 'Plannr UUID', width: 40 }, { header: 'Legacy File', width: 28 }, { header: 'Row', width: 8 }, { header: 'Mapped At', width: 26 }],
      frozenHeader: true, autoFilter: true,
    });
    for (const e of entries) await sheet.addRow([e.entity, e.legacyId, e.uuid, e.file, e.row, e.at]);
    await writer.close();
  } catch (error) {
    await writer.discard();
    throw error;
  }
}

export interface MigrationReport {
  readonly summaries: readonly FileSummary[];
  readonly dryRun: boolean;
  readonly idMapPath: string;
  readonly idMapWorkbook: string | undefined;
  readonly interrupted: boolean;
  readonly state: string;
}

const STATUS_COLUMNS = ['sent', 'valid', 'invalid', 'failed', 'skipped', 'unknown'] as const;

export async function writeMigrationReport(path: string, report: MigrationReport): Promise<void> {
  const writer = openXlsxWriter(path);
  try {
    const summary = writer.addSheet('Summary', {
      columns: [
        { header: 'File', width: 28 }, { header: 'Entity', width: 16 }, { header: 'Rows', width: 8 }, { header: 'Already in Plannr', width: 10 },
        { header: 'Held Back', width: 10 }, { header: 'Imported', width: 10 },
        ...STATUS_COLUMNS.map((status) => ({ header: status[0]!.toUpperCase() + status.slice(1), width: 9 })),
        { header: 'Rows Add Up', width: 90 }, { header: 'Report (Results, Errors)', width: 40 }, { header: 'Journal', width: 40 },
      ],
      frozenHeader: true,
    });
    const total = { rows: 0, already: 0, held: 0, read: 0, ...Object.fromEntries(STATUS_COLUMNS.map((s) => [s, 0])) } as Record<string, number>;
    for (const s of report.summaries) {
      await summary.addRow([
        basename(s.file), s.entity, s.rows, s.alreadyInPlannr, s.held.length, s.imported.read, ...STATUS_COLUMNS.map((status) => s.imported[status]),
        s.equation, s.reportPath === undefined ? '(nothing left to import)' : relative(report.state, s.reportPath), s.journalPath === undefined ? '' : relative(report.state, s.journalPath),
      ]);
      total.rows! += s.rows;
      total.already! += s.alreadyInPlannr;
      total.held! += s.held.length;
      total.read! += s.imported.read;
      for (const status of STATUS_COLUMNS) total[status]! += s.imported[status];
    }
    const adds = total.rows === total.already! + total.held! + total.read! && total.read === STATUS_COLUMNS.reduce((sum, st) => sum + total[st]!, 0);
    await summary.addRow([
      'Total', report.dryRun ? 'dry run: nothing sent' : 'migration', total.rows!, total.already!, total.held!, total.read!, ...STATUS_COLUMNS.map((st) => total[st]!),
      `${total.rows} rows = ${total.already} already in Plannr + ${total.held} held back + ${total.read} imported ${adds ? '✓' : '✗'}`, '', '',
    ]);
    await summary.addRow([]);
    await summary.addRow(['Id map', report.idMapWorkbook === undefined ? '(dry run: none written)' : relative(report.state, report.idMapWorkbook)]);
    await summary.addRow(['Interrupted', report.interrupted ? 'yes: run the same command again to finish' : 'no']);
    await summary.commit();
    const errors = writer.addSheet('Held Back', {
      columns: [{ header: 'File', width: 28 }, { header: 'Row', width: 8 }, { header: 'Legacy ID', width: 14 }, { header: 'Problem', width: 110 }],
      frozenHeader: true, autoFilter: true,
    });
    for (const s of report.summaries) for (const held of s.held) await errors.addRow([basename(s.file), held.row, held.legacyId, held.message]);
    for (const s of report.summaries) {
      for (const c of s.conflicts) await errors.addRow([basename(s.file), c.row, c.legacyId, `created again as ${c.uuid}: the id map already holds another record for it; check both in Plannr`]);
    }
    await errors.commit();
    await writer.close();
  } catch (error) {
    await writer.discard();
    throw error;
  }
}
