import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { DEFAULT_NORMALISE_OPTIONS, DEFAULT_POOL_OPTIONS, DEFAULT_READ_BACK_WINDOW_MS, DEFAULT_TIMEOUT_MS } from '../../src/config/defaults.js';
import { apiFlags, importFlags, normaliseFlags, normaliseFrom, optionsOf, parseRate, poolFlags, valuesOf, type AnyTable } from '../../src/cli/flags.js';
import { UsageError } from '../../src/errors.js';
import { runCli } from '../../src/cli/program.js';

/** commander over some flag tables, parsing `args` as a user typed them. */
function parse(tables: readonly AnyTable[], args: readonly string[]): Record<string, unknown> {
  const command = new Command('t').exitOverride();
  for (const table of tables) for (const option of optionsOf(table)) command.addOption(option);
  command.parse(args as string[], { from: 'user' });
  return command.opts();
}

describe('--rate: one parser for every command', () => {
  it('reads per minute, per second and off', () => {
    expect(parseRate('500/min')).toBe(500);
    expect(parseRate('500')).toBe(500);
    expect(parseRate('10/s')).toBe(600);
    expect(parseRate('2.5/sec')).toBe(150);
    expect(parseRate('off')).toBe(0);
    expect(parseRate('0')).toBe(0);
  });

  it('refuses anything else with a UsageError naming the flag', () => {
    for (const text of ['fast', '-5', '10/h', '']) {
      expect(() => parseRate(text)).toThrow(UsageError);
      expect(() => parseRate(text)).toThrow(/--rate/);
    }
  });
});

describe('flags are config values under the config field names', () => {
  it('the pool, API and import flags give their config fields, parsed', () => {
    const parsed = parse([apiFlags, poolFlags, importFlags], ['--rate', '10/s', '--concurrency', '3', '--timeout', '5000', '--read-back-window', '1.5', '--no-revert']);
    expect(valuesOf(poolFlags, parsed)).toEqual({ ratePerMinute: 600, concurrency: 3 });
    expect(valuesOf(apiFlags, parsed)).toEqual({ timeoutMs: 5000 });
    expect(valuesOf(importFlags, parsed)).toEqual({ readBackWindowMs: 1500, revert: false });
  });

  it('flags not given are absent, so the library default applies', () => {
    const parsed = parse([poolFlags, normaliseFlags], []);
    expect(valuesOf(poolFlags, parsed)).toEqual({});
    expect(normaliseFrom(parsed)).toEqual(DEFAULT_NORMALISE_OPTIONS);
  });

  it('a country code is upper-cased; a time zone is checked', () => {
    expect(normaliseFrom(parse([normaliseFlags], ['--default-country', 'ie', '--timezone', 'Europe/Dublin']))).toMatchObject({ defaultCountry: 'IE', timezone: 'Europe/Dublin' });
  });
});

describe('help shows the defaults the library uses', () => {
  it("import --help names the library's defaults, not copies of them", async () => {
    let help = '';
    const code = await runCli(['node', 'plannr-bulk', 'import', '--help'], { stdout: (text) => void (help += text), stderr: () => {}, env: {} });
    expect(code).toBe(0);
    const flat = help.replace(/\s+/g, ' ');
    expect(flat).toContain(`(default: ${DEFAULT_POOL_OPTIONS.concurrency})`);
    expect(flat).toContain(`(default: ${DEFAULT_POOL_OPTIONS.ratePerMinute}/min`);
    expect(flat).toContain(`(default: ${DEFAULT_POOL_OPTIONS.maxRetries})`);
    expect(flat).toContain(`(default: ${DEFAULT_TIMEOUT_MS})`);
    expect(flat).toContain(`(default: ${DEFAULT_READ_BACK_WINDOW_MS / 1000})`);
    expect(flat).toContain(`(default: ${DEFAULT_NORMALISE_OPTIONS.defaultCountry})`);
    expect(flat).toContain(`(default: ${DEFAULT_NORMALISE_OPTIONS.timezone})`);
    expect(flat).not.toMatch(/--token/);
  });
});
