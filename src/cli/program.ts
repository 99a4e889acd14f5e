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
import { DEFAULT_BASE_URL } from '../config/defaults.js';
import { PlannrBulkError } from '../errors.js';
import type { CliCommand, CommandContext, ExitCode } from './command.js';
import { demoCommand } from './demo.js';
import { exportCommand } from './export.js';
import { optionsOf } from './flags.js';
import { importCommand } from './import.js';
import { migrateCommand } from './migrate.js';
import { planCommand } from './plan.js';
import { sandboxCommand } from './sandbox.js';
import { stopOnSignals } from './stop.js';
import { templateCommand } from './template.js';
import { validateCommand } from './validate.js';
import { verifyCommand } from './verify.js';

const { version } = createRequire(import.meta.url)('../../package.json') as { version: string };

export const COMMANDS: readonly CliCommand[] = [
  validateCommand,
  importCommand,
  planCommand,
  migrateCommand,
  exportCommand,
  templateCommand,
  sandboxCommand,
  demoCommand,
  verifyCommand,
];

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

/** commander, from the commands: every command and the program exit through runCli, never through process.exit. */
export function buildProgram(commands: readonly CliCommand[], run: (command: CliCommand, sub: Command) => Promise<void>, io: CliIo = processIo): Command {
  const program = new Command('plannr-bulk')
    .description('Bulk CSV/Excel import and export for the Plannr CRM API, with dry-run validation reports')
    .version(version)
    .addHelpText('after', EXIT_CODES_HELP);
  for (const command of commands) {
    const sub = new Command(command.name).description(command.description);
    for (const argument of command.arguments ?? []) sub.argument(argument.name, argument.description);
    for (const table of command.flags) for (const option of optionsOf(table)) sub.addOption(option);
    if (command.helpAfter !== undefined) sub.addHelpText('after', command.helpAfter);
    sub.action(() => run(command, sub));
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
  const program = buildProgram(
    COMMANDS,
    async (command, sub) => {
      current = sub;
      code = await runCommand(command, sub, io);
    },
    io,
  );
  try {
    await program.parseAsync(argv as string[]);
    return code;
  } catch (error) {
    const failure = failureOf(error, current ?? commandOf(program, argv));
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
