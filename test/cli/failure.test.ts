import { CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { ApiResponseError, TransportError } from '../../src/api/errors.js';
import { failureOf } from '../../src/cli/program.js';
import { ApiUnavailableError, PlannrBulkError, UsageError } from '../../src/errors.js';

/** A Node system error as fs and net raise them. */
function systemError(code: string, syscall: string, extra: Record<string, unknown>): Error {
  return Object.assign(new Error(`${code}: ${syscall}`), { code, syscall, ...extra });
}

describe('the one place an error becomes an exit code and a line', () => {
  it('help and version exit 0 with nothing more to say', () => {
    expect(failureOf(new CommanderError(0, 'commander.helpDisplayed', '(outputHelp)'))).toEqual({ code: 0, message: undefined });
    expect(failureOf(new CommanderError(0, 'commander.version', '0.1.0'))).toEqual({ code: 0, message: undefined });
  });

  it("commander's refusals are usage errors: 2, without commander's 'error: ' prefix", () => {
    const failure = failureOf(new CommanderError(1, 'commander.unknownOption', "error: unknown option '--x'"));
    expect(failure).toEqual({ code: 2, message: "unknown option '--x' (see plannr-bulk --help)" });
  });

  it('API and transport errors are PlannrBulkErrors that exit 2 with their own message', () => {
    const refused = new ApiResponseError(401, 'Listing /api/v1/cases, page 1: Unauthenticated.', {});
    const unreachable = new TransportError('connect', false, 'GET /api/v1/cases: could not connect (ECONNREFUSED)');
    for (const error of [refused, unreachable, new ApiUnavailableError('cannot reach the API'), new UsageError('--rate "x"')]) {
      expect(error).toBeInstanceOf(PlannrBulkError);
      expect(failureOf(error)).toEqual({ code: 2, message: error.message });
    }
  });

  it('a file system or network error that escaped says what was done to which path or address', () => {
    expect(failureOf(systemError('ENOENT', 'open', { path: '/data/in.csv' }))).toEqual({ code: 2, message: 'cannot open /data/in.csv: no such file or folder (ENOENT)' });
    expect(failureOf(systemError('EADDRINUSE', 'listen', { address: '127.0.0.1', port: 4010 }))).toEqual({ code: 2, message: 'cannot listen 127.0.0.1:4010: the address is in use (EADDRINUSE)' });
  });

  it('anything else is a bug: 2, said as one, pointing to --debug', () => {
    const failure = failureOf(new TypeError('x is undefined\n  more'));
    expect(failure.code).toBe(2);
    expect(failure.message).toMatch(/^unexpected error: x is undefined more \(a bug in plannr-bulk.*--debug/);
  });
});
