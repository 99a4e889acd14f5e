/**
 * plannr-bulk: a thin CLI. Each command (command.ts) is a plain async function that returns an
 * exit code or throws; this module builds commander from the commands' flag tables, installs
 * the one signal policy (stop.ts) for commands that send or serve, and turns every error into an
 * exit code and a one-line message here and only here:
 *   0 every row ok; 1 the run finished but some rows were invalid, failed or unknown;
 *   2 it could not run (bad flags, unreadable input, missing columns, bad credentials, the API
 *     or the network refusing a request the run cannot do without, an output it cannot write).
 * No stack trace is printed unless --debug (or PLANNR_BULK_DEBUG=1) asks for one.
 */
import { Command, CommanderError, Option } from 'commander';
import { createRequire } from 'node:module';
// From its own module, not config/defaults.ts: that one gathers every default and loads their modules.
import { DEFAULT_BASE_URL } from '../api/config.js';
import { PlannrBulkError } from '../errors.js';
import type { CliCommand, CommandContext, ExitCode } from './command.js';
import { optionsOf } from './flag-options.js';
import { stopOnSignals } from './stop.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

/**
 * A command as the program lists it. Its module (flags, help, code: a CliCommand) is loaded only
 * when the command line names it: `plannr-bulk validate` never loads the import pipeline, the
 * sandbox or the migration, and `--help` loads none (each child process of a run or a test
 * starts in about half the time it took when every command was loaded).
 */
export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  /** Positional arguments in commander's syntax, in order; the command says what each is. */
  readonly arguments: readonly string[];
  readonly load: () => Promise<CliCommand>;
}

export const COMMANDS: readonly CommandEntry[] = [
  {
    name: 'validate',
    description: 'dry run: read, map, validate and normalise every row, write a report; sends nothing',
    arguments: ['<file>'],
    load: async () => (await import('./validate.js')).validateCommand,
  },
  {
    name: 'import',
    description: 'validate every row, send the valid ones to Plannr, journal each outcome, write a report',
    arguments: ['<file>'],
    load: async () => (await import('./import.js')).importCommand,
  },
  {
    name: 'plan',
    description: 'read the records a file would change and write a plan workbook: per row the action and per field before → after; sends nothing',
    arguments: ['<file>'],
    load: async () => (await import('./plan.js')).planCommand,
  },
  {
    name: 'migrate',
    description: 'migrate a legacy CRM export (clients, contact details, cases) in dependency order, legacy ids mapped to Plannr uuids; rerun to resume',
    arguments: [],
    load: async () => (await import('./migrate.js')).migrateCommand,
  },
  {
    name: 'export',
    description: 'write every record of an entity to an XLSX or CSV file in its import columns, ready to edit and import again',
    arguments: ['<entity>'],
    load: async () => (await import('./export.js')).exportCommand,
  },
  {
    name: 'template',
    description: 'write a template workbook (or CSV) for an entity: headers with notes, dropdowns, an example row',
    arguments: ['<entity>'],
    load: async () => (await import('./template.js')).templateCommand,
  },
  {
    name: 'sandbox',
    description: 'run a local emulator of the Plannr API (and MPDX phones) on 127.0.0.1: no account, no network',
    arguments: [],
    load: async () => (await import('./sandbox.js')).sandboxCommand,
  },
  {
    name: 'demo',
    description: 'start the sandbox, import every sample through the real pipeline over HTTP, write the reports (no account, no network)',
    arguments: [],
    load: async () => (await import('./demo.js')).demoCommand,
  },
  {
    name: 'verify',
    description: "check a run's manifest against its files: the input's SHA-256, the journal, and the outcome digest of the report",
    arguments: ['<manifest>'],
    load: async () => (await import('./verify.js')).verifyCommand,
  },
];

/**
 * The commands the command line names (`validate FILE …`, `help validate`, `import --help`),
 * loaded. A word that only looks like a command name (a sheet called "import") loads one module
 * more, no harm done: each of the others is a name, a description and its arguments' names.
 */
export async function loadNamed(entries: readonly CommandEntry[], argv: readonly string[]): Promise<ReadonlyMap<string, CliCommand>> {
  const words = new Set(argv.slice(2));
  const named = entries.filter((entry) => words.has(entry.name));
  return new Map(await Promise.all(named.map(async (entry) => [entry.name, await entry.load()] as const)));
}

const EXIT_CODES_HELP = `
Exit codes: 0 every row ok, 1 some rows invalid, failed or unknown (the API's answer was lost: the report says what to check), 2 could not run (bad flags, unreadable file, missing columns, bad credentials, the API refusing a request the run needs, an output folder not writable, or the API refused the token during the run: fix it, then --resume). --debug prints the stack of an error.
Environment: PLANNR_BASE_URL (default ${DEFAULT_BASE_URL}), PLANNR_TOKEN, PLANNR_ACCOUNT_UUID. "plannr-bulk sandbox" prints the values for the local sandbox.`;

const DEBUG_FLAG = '--debug';

/** Where a command's output goes; process streams unless a test says otherwise. */
export interface CliIo {
  readonly stdout: (text: string) => void;
  readonly stderr: (text: string) => void;
  readonly env: NodeJS.ProcessEnv;
}

const processIo: CliIo = {
  stdout: (text) => void process.stdout.write(text),
  stderr: (text) => void process.stderr.write(text),
  env: process.env,
};

/**
 * commander, from the commands: every command and the program exit through runCli, never through
 * process.exit. A command in `loaded` gets its flags, help and action; the others are listed by
 * name, description and arguments only (what `plannr-bulk --help` shows of them).
 */
export function buildProgram(
  entries: readonly CommandEntry[],
  loaded: ReadonlyMap<string, CliCommand>,
  run: (command: CliCommand, sub: Command) => Promise<void>,
  io: CliIo = processIo,
): Command {
  const program = new Command('plannr-bulk')
    .description('Bulk CSV/Excel import and export for the Plannr CRM API, with dry-run validation reports')
    .version(version)
    .addHelpText('after', EXIT_CODES_HELP);
  for (const entry of entries) {
    const sub = new Command(entry.name).description(entry.description);
    const command = loaded.get(entry.name);
    if (command === undefined) {
      for (const name of entry.arguments) sub.argument(name);
    } else {
      const names = (command.arguments ?? []).map((argument) => argument.name);
      if (names.join(' ') !== entry.arguments.join(' ')) {
        throw new Error(`the ${entry.name} command takes ${names.join(' ') || 'no arguments'}, but the list of commands says ${entry.arguments.join(' ') || 'none'}`);
      }
      for (const argument of command.arguments ?? []) sub.argument(argument.name, argument.description);
      for (const table of command.flags) for (const option of optionsOf(table)) sub.addOption(option);
      if (command.helpAfter !== undefined) sub.addHelpText('after', command.helpAfter);
      sub.action(() => run(command, sub));
    }
    program.addCommand(sub);
  }
  // Settings commander does not pass from a program to the subcommands added to it.
  for (const each of [program, ...program.commands]) {
    each
      .exitOverride()
      .configureOutput({ writeOut: io.stdout, writeErr: io.stderr, outputError: () => {} })
      .addOption(new Option(DEBUG_FLAG, 'print the stack of an error (for a bug report)'));
  }
  return program;
}

/** Runs the command line and says how to exit. Never throws and never exits the process. */
export async function runCli(argv: readonly string[], io: CliIo = processIo): Promise<ExitCode> {
  const debug = argv.includes(DEBUG_FLAG) || /^(1|true|yes)$/i.test(io.env['PLANNR_BULK_DEBUG'] ?? '');
  let code: ExitCode = 0;
  let current: Command | undefined;
  let program: Command | undefined;
  try {
    program = buildProgram(
      COMMANDS,
      await loadNamed(COMMANDS, argv),
      async (command, sub) => {
        current = sub;
        code = await runCommand(command, sub, io);
      },
      io,
    );
    await program.parseAsync(argv as string[]);
    return code;
  } catch (error) {
    const failure = failureOf(error, current ?? (program === undefined ? undefined : commandOf(program, argv)));
    if (failure.message !== undefined) io.stderr(`plannr-bulk: ${failure.message}\n`);
    if (debug && !(error instanceof CommanderError)) io.stderr(`${stackOf(error)}\n`);
    return failure.code;
  }
}

async function runCommand(command: CliCommand, sub: Command, io: CliIo): Promise<ExitCode> {
  const notice = (message: string) => io.stderr(`plannr-bulk: ${message}\n`);
  // After a newline: Ctrl-C leaves the terminal's cursor after ^C or mid progress bar.
  const stop = command.stoppable ? stopOnSignals((message) => io.stderr(`\nplannr-bulk: ${message}\n`), command.stopping) : undefined;
  const context: CommandContext = {
    env: io.env,
    print: (text) => io.stdout(`${text}\n`),
    notice,
    signal: stop?.signal ?? new AbortController().signal,
  };
  try {
    return await command.run(sub.processedArgs as string[], sub.opts(), context);
  } finally {
    stop?.dispose();
  }
}

/** The subcommand named on the command line, for "see plannr-bulk import --help". */
function commandOf(program: Command, argv: readonly string[]): Command | undefined {
  return program.commands.find((sub) => argv.slice(2).includes(sub.name()));
}

export interface Failure {
  readonly code: ExitCode;
  /** One line for stderr; undefined when there is nothing to say (help was asked for and shown). */
  readonly message: string | undefined;
}

/** The one place an error becomes an exit code and a message. */
export function failureOf(error: unknown, command?: Command): Failure {
  if (error instanceof CommanderError) {
    // --help and --version: shown, exit 0. No command at all: help was shown on stderr, a usage error.
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return { code: 0, message: undefined };
    if (error.code === 'commander.help') return { code: 2, message: undefined };
    const help = command === undefined ? 'plannr-bulk --help' : `plannr-bulk ${command.name()} --help`;
    return { code: 2, message: `${error.message.replace(/^error: /, '').trim()} (see ${help})` };
  }
  if (error instanceof PlannrBulkError) return { code: error.exitCode, message: oneLine(error.message) };
  const system = systemErrorOf(error);
  if (system !== undefined) return { code: 2, message: system };
  const text = error instanceof Error ? error.message : String(error);
  return {
    code: 2,
    message: `unexpected error: ${oneLine(text)} (a bug in plannr-bulk: please report it with the command you ran, and what --debug prints)`,
  };
}

const SYSTEM_ERRORS: Readonly<Record<string, string>> = {
  ENOENT: 'no such file or folder',
  EACCES: 'permission denied',
  EPERM: 'not permitted',
  EISDIR: 'it is a folder',
  ENOTDIR: 'part of the path is not a folder',
  ENOSPC: 'the disk is full',
  EROFS: 'the file system is read-only',
  EMFILE: 'too many open files',
  EADDRINUSE: 'the address is in use',
  ECONNREFUSED: 'the connection was refused',
  ENOTFOUND: 'the host name was not found',
};

/** A Node system error (fs, net) that escaped a run: what was being done to which path or address, and why. */
function systemErrorOf(error: unknown): string | undefined {
  if (!(error instanceof Error) || !('code' in error) || !('syscall' in error)) return undefined;
  const { code, syscall, path, address, port } = error as NodeJS.ErrnoException & { address?: string; port?: number };
  if (typeof code !== 'string' || typeof syscall !== 'string') return undefined;
  const target = path ?? (address !== undefined ? `${address}${port !== undefined ? `:${port}` : ''}` : undefined);
  const why = SYSTEM_ERRORS[code];
  return `cannot ${syscall}${target !== undefined ? ` ${target}` : ''}: ${why !== undefined ? `${why} (${code})` : code}`;
}

function oneLine(text: string): string {
  return text.replace(/\s*\n\s*/g, ' ').trim();
}

function stackOf(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause === undefined ? '' : `\ncaused by: ${stackOf(error.cause)}`;
  return `${error.stack ?? error.message}${cause}`;
}
