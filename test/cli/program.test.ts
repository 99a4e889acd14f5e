import { describe, expect, it } from 'vitest';
import { buildProgram, COMMANDS, loadNamed } from '../../src/cli/program.js';

const quiet = { stdout: () => {}, stderr: () => {}, env: {} };

describe('the list of commands loads a command only when the command line names it', () => {
  it('every listed command loads, and takes the arguments the list names for it', async () => {
    for (const entry of COMMANDS) {
      const command = await entry.load();
      expect((command.arguments ?? []).map((argument) => argument.name), entry.name).toEqual(entry.arguments);
    }
  });

  it('loads the commands named on the command line, and only those', async () => {
    expect([...(await loadNamed(COMMANDS, ['node', 'plannr-bulk', '--help'])).keys()]).toEqual([]);
    expect([...(await loadNamed(COMMANDS, ['node', 'plannr-bulk', 'validate', 'in.csv', '--entity', 'cases'])).keys()]).toEqual(['validate']);
    expect([...(await loadNamed(COMMANDS, ['node', 'plannr-bulk', 'help', 'import'])).keys()]).toEqual(['import']);
  });

  it('a command not named is listed with its arguments, and one named gets its flags as well', async () => {
    const program = buildProgram(COMMANDS, await loadNamed(COMMANDS, ['node', 'plannr-bulk', 'import']), async () => {}, quiet);
    const sub = (name: string) => program.commands.find((command) => command.name() === name)!;
    expect(program.commands.map((command) => command.name())).toEqual(COMMANDS.map((entry) => entry.name));
    expect(sub('validate').registeredArguments.map((argument) => argument.name())).toEqual(['file']);
    expect(sub('validate').options.map((option) => option.long)).toEqual(['--debug']);
    expect(sub('import').options.map((option) => option.long)).toContain('--entity');
  });
});
