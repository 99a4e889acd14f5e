/**
 * What a command is: a plain async function from its arguments and parsed flags to an exit
 * code, plus the words and flag tables its help is built from. A command never sets
 * process.exitCode, never prints an error, never installs a signal handler: it returns a code
 * or throws, and program.ts does the rest in one place. Its name and one-line description are
 * in program.ts's list of commands, which loads a command's module only when the command line
 * names it (a child process starts without the code of the commands it does not run).
 */
import type { AnyTable } from './flags.js';

/** 0 every row ok; 1 the run finished but some rows were invalid, failed or unknown; 2 it could not run. */
export type ExitCode = 0 | 1 | 2;

export interface CommandContext {
  readonly env: NodeJS.ProcessEnv;
  /** Lines for stdout (the result a person reads or a script parses). */
  readonly print: (text: string) => void;
  /** A notice for stderr that does not stop the run (prefixed "plannr-bulk: "). */
  readonly notice: (message: string) => void;
  /** Aborted by the first Ctrl-C or SIGTERM for commands that are `stoppable`; never otherwise. */
  readonly signal: AbortSignal;
}

/** The command line's parsed options, as commander gives them (read them through valuesOf). */
export type ParsedFlags = Readonly<Record<string, unknown>>;

export interface CliCommand {
  /** Positional arguments in commander's syntax ('<file>'), as program.ts's list names them, with what each is. */
  readonly arguments?: ReadonlyArray<{ readonly name: string; readonly description: string }>;
  /** The flag tables (flags.ts) the command takes, in the order help lists them. */
  readonly flags: readonly AnyTable[];
  /** Help text after the flags. */
  readonly helpAfter?: string;
  /** Sends, serves or waits: the first signal aborts `context.signal` and the command winds down (stop.ts). */
  readonly stoppable: boolean;
  /** What the first signal does, as the user is told it (default: stop.ts's DEFAULT_STOPPING). */
  readonly stopping?: string;
  run(args: readonly string[], flags: ParsedFlags, context: CommandContext): Promise<ExitCode>;
}
