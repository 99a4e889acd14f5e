import { resolveApiConfig } from '../api/config.js';
import { defaultOutputPath } from '../config/outputs.js';
import { PLAN_ACTIONS } from '../outcome/row-outcome.js';
import { runPlan } from '../pipeline/plan.js';
import { sideEffectLines } from '../pipeline/side-effects.js';
import { DEFAULT_POOL_OPTIONS } from '../config/defaults.js';
import { entities } from '../entities/index.js';
import { estimateLines, estimateRun, readsBatchFor } from '../pipeline/estimate.js';
import type { CliCommand, CommandContext, ExitCode, ParsedFlags } from './command.js';
import { apiFlags, inputFlags, normaliseFlags, planFlags, poolFlags, sendingRunFrom, valuesOf } from './flags.js';
import { createProgress } from './progress.js';

/** `plannr-bulk plan FILE`: read the records the file would change, write per row the action and per field before → after. */
export async function plan(file: string, parsed: ParsedFlags, context: CommandContext): Promise<ExitCode> {
  const input = valuesOf(inputFlags, parsed);
  const { log, out = defaultOutputPath(file, 'plan') } = valuesOf(planFlags, parsed);
  const api = resolveApiConfig(valuesOf(apiFlags, parsed), context.env);
  const progress = createProgress({ label: 'planning' });
  try {
    const result = await runPlan({
      ...input,
      ...(await sendingRunFrom(parsed, context, api, log)),
      file,
      out,
      onProgress: (rows) => progress.update({ done: rows, problems: 0 }),
    });
    progress.stop();
    const lines = [
      `${result.rows} rows planned: ${PLAN_ACTIONS.map((a) => `${result.actions[a]} ${a}`).join(', ')} (nothing was written)`,
      `plan: ${result.path}`,
      `to apply it: plannr-bulk import ${result.path} --entity ${input.entity}`,
    ];
    // What applying the plan will cost (issue 13): its names are uuids by then, so no lookups.
    const entity = entities[input.entity as keyof typeof entities];
    const pool = valuesOf(poolFlags, parsed);
    const applying = estimateRun(
      {
        rows: result.rows, creates: result.actions.create, updates: result.actions.update, invalid: result.actions.invalid, done: 0,
        heldBack: result.actions['no change'] + result.actions.conflict, nameLookups: 0,
        readsBatch: entity !== undefined && readsBatchFor(entity, { [entity.keyField]: 'any' }),
      },
      pool.ratePerMinute ?? DEFAULT_POOL_OPTIONS.ratePerMinute,
    );
    lines.push(...estimateLines(applying).map((line) => line.replace(/^estimate: /, 'applying it: ')));
    lines.push(...sideEffectLines(result.sideEffects));
    if (result.unknownHeaders.length > 0) lines.push(`ignored columns: ${result.unknownHeaders.map((h) => `"${h}"`).join(', ')}`);
    context.print(lines.join('\n'));
    return result.exitCode;
  } finally {
    progress.stop();
  }
}

export const planCommand: CliCommand = {
  arguments: [{ name: '<file>', description: 'CSV or XLSX file to plan (an export, an edited export, or any import file)' }],
  flags: [inputFlags, planFlags, apiFlags, poolFlags, normaliseFlags],
  helpAfter: `
Actions: create, update, no change, conflict (changed in the CRM since the export), invalid.
Status and Type (cases) may be names, and account columns emails: the plan resolves them to uuids.
The plan's first sheet imports as it is and applies exactly what it shows:
  plannr-bulk import FILE.plan.xlsx --entity E
Records changed after the plan are held back as conflicts (--overwrite to write them anyway).
The token is read from PLANNR_TOKEN only.`,
  stoppable: true,
  stopping: 'no new record will be read; no plan is written',
  run: ([file = ''], parsed, context) => plan(file, parsed, context),
};
