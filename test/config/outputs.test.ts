import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultJournalPath, defaultOutputPath, importOutputs } from '../../src/config/outputs.js';

describe('where a run writes when the config does not say', () => {
  it("an import's report, revert workbook and journal sit beside its input", () => {
    const file = join('exports', 'clients.xlsx');
    expect(importOutputs({ file })).toEqual({
      report: join('exports', 'clients.import.xlsx'),
      revert: join('exports', 'clients.revert.xlsx'),
      journal: join('exports', 'clients.xlsx.journal'),
    });
  });

  it('a library call without paths writes the same files as the CLI: no update without its undo file', () => {
    // The CLI passes only what the user typed; runImport fills the rest from the same function.
    expect(importOutputs({ file: 'cases.csv', report: undefined, revert: undefined }).revert).toBe('cases.revert.xlsx');
  });

  it('false asks for no report or no revert workbook; a path is used as given', () => {
    expect(importOutputs({ file: 'cases.csv', report: false, revert: false })).toEqual({ report: undefined, revert: undefined, journal: 'cases.csv.journal' });
    expect(importOutputs({ file: 'cases.csv', report: 'r.xlsx', revert: 'u.xlsx', journal: 'j' })).toEqual({ report: 'r.xlsx', revert: 'u.xlsx', journal: 'j' });
  });

  it('a dry run writes a validation report and no revert workbook (it changes nothing)', () => {
    expect(importOutputs({ file: 'cases.csv', dryRun: true })).toEqual({ report: 'cases.validation.xlsx', revert: undefined, journal: 'cases.csv.journal' });
  });

  it('the name drops only the last extension', () => {
    expect(defaultOutputPath('a.b/cases.plan.xlsx', 'import')).toBe(join('a.b', 'cases.plan.import.xlsx'));
    expect(defaultJournalPath('in.csv')).toBe('in.csv.journal');
  });
});
