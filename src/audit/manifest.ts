/**
 * The run manifest: one JSON file beside the report that a firm keeps in its audit file. It
 * says what ran (tool version, command line without secrets, resolved configuration, API,
 * entity and mapping), on what (the input's SHA-256 and size), when (start and end, ISO 8601
 * with the local offset), and what came of it (the Summary's equation, and the outcome digest
 * of outcome-digest.ts over every row). `plannr-bulk verify` checks it against the files.
 *
 * Everything here is pure; write.ts gathers the facts and writes the file.
 */
import { relative, sep } from 'node:path';
import { z } from 'zod';
import { REDACTED, redactSecrets } from '../api/redact.js';
import { OUTCOME_DIGEST_ALGORITHM } from './outcome-digest.js';

export const MANIFEST_KIND = 'plannr-bulk run manifest';
export const MANIFEST_VERSION = 1;

/** A file the manifest vouches for: where (relative to the manifest's folder when possible), its size and SHA-256. */
const fileFacts = z.object({ path: z.string(), size: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) });

export const runManifestSchema = z.object({
  kind: z.literal(MANIFEST_KIND),
  version: z.literal(MANIFEST_VERSION),
  tool: z.object({ name: z.string(), version: z.string(), node: z.string() }),
  commandLine: z.array(z.string()),
  config: z.record(z.string(), z.unknown()),
  api: z.object({ baseUrl: z.string(), accountUuid: z.string() }),
  entity: z.string(),
  mapping: z.array(z.object({ header: z.string(), field: z.string(), column: z.number().int() })),
  ignoredColumns: z.array(z.string()),
  input: fileFacts.extend({ sheet: z.string().optional() }),
  startedAt: z.string(),
  endedAt: z.string(),
  summary: z.object({ equation: z.string(), counts: z.record(z.string(), z.number()) }),
  outcomes: z.object({ algorithm: z.string(), rows: z.number().int().nonnegative(), sha256: z.string().regex(/^[0-9a-f]{64}$/) }),
  report: fileFacts,
  /** The journal as it stood when the run ended: `size` bytes. A later --resume appends after them. */
  journal: fileFacts,
  htmlReport: z.string().optional(),
});

export type RunManifest = z.infer<typeof runManifestSchema>;

/** What import's configuration holds that a manifest records (ImportConfig fits it as it is). */
export interface ManifestConfigSource {
  readonly entity: string;
  readonly sheet?: string | undefined;
  readonly encoding?: string | undefined;
  readonly delimiter?: string | undefined;
  readonly mapping?: unknown;
  readonly normalise: object;
  readonly resume?: boolean | undefined;
  readonly overwrite?: boolean | undefined;
  /** Output paths (a path, or false for none): recorded as given. */
  readonly report?: unknown;
  readonly journal?: unknown;
  readonly revert?: unknown;
  readonly readBackWindowMs?: number | undefined;
  readonly api: { readonly baseUrl: string; readonly accountUuid: string; readonly timeoutMs: number; readonly token: string };
  readonly pool?: object | undefined;
}

export interface ManifestFacts {
  readonly tool: { readonly name: string; readonly version: string; readonly node: string };
  /** The process's arguments (process.argv); the node binary and script path are replaced by the tool's name. */
  readonly argv: readonly string[];
  readonly config: ManifestConfigSource;
  /** Defaults the run used where the config left a value out (pool options, the read-back window). */
  readonly defaults: Readonly<Record<string, unknown>>;
  readonly mapping: ReadonlyArray<{ readonly header: string; readonly field: string; readonly columnIndex: number }>;
  readonly ignoredColumns: readonly string[];
  readonly manifestFolder: string;
  readonly input: { readonly path: string; readonly sheet?: string | undefined; readonly size: number; readonly sha256: string };
  readonly report: { readonly path: string; readonly size: number; readonly sha256: string };
  readonly journal: { readonly path: string; readonly size: number; readonly sha256: string };
  readonly htmlReport?: string | undefined;
  readonly startedAt: number;
  readonly endedAt: number;
  /** Minutes east of UTC for the times (e.g. 60 for Europe/London in summer). */
  readonly utcOffsetMinutes: number;
  readonly equation: string;
  readonly counts: Readonly<Record<string, number>>;
  readonly outcomes: { readonly rows: number; readonly sha256: string };
}

/** 2026-06-01T10:15:00.000+01:00: the wall-clock time at `offsetMinutes` east of UTC, with the offset. */
export function isoWithOffset(epochMs: number, offsetMinutes: number): string {
  const shifted = new Date(epochMs + offsetMinutes * 60_000).toISOString().slice(0, -1);
  const sign = offsetMinutes < 0 ? '-' : '+';
  const abs = Math.abs(offsetMinutes);
  return `${shifted}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

const SECRET_NAME = /token|secret|password|passwd|api[-_]?key|auth/i;

/** One argument without secrets: the token in any encoding, URL credentials, and values of secret-named flags or query parameters. */
function redactArgument(arg: string, secrets: readonly string[]): string {
  let text = redactSecrets(arg, secrets);
  // https://user:pass@host → https://[redacted]@host
  text = text.replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/@\s]+@/i, `$1${REDACTED}@`);
  // ?access_token=… or &password=…
  text = text.replace(/([?&][^=&#]*)=([^&#]*)/g, (whole, name: string) => (SECRET_NAME.test(name) ? `${name}=${REDACTED}` : whole));
  // --token=…
  const flag = /^(--?[^=]+)=(.*)$/s.exec(text);
  if (flag !== null && SECRET_NAME.test(flag[1] as string)) text = `${flag[1]}=${REDACTED}`;
  return text;
}

/**
 * The command line as a person would retype it, without secrets: `argv[0..1]` (node and the
 * script) become `plannr-bulk`, the token is redacted wherever it appears, and so is the value
 * following a secret-named flag (`--token x`, `--password=x`) or in a URL.
 */
export function commandLineOf(argv: readonly string[], secrets: readonly string[]): string[] {
  const given = secrets.filter((s) => s !== '');
  const args = argv.slice(2);
  const out = ['plannr-bulk'];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i] as string;
    out.push(redactArgument(arg, given));
    if (/^--?[^=]+$/.test(arg) && SECRET_NAME.test(arg) && i + 1 < args.length) {
      out.push(REDACTED);
      i++;
    }
  }
  return out;
}

/** A path as the manifest stores it: relative to the manifest's folder, with forward slashes. */
export function manifestRelative(manifestFolder: string, path: string): string {
  return relative(manifestFolder, path).split(sep).join('/');
}

/** JSON-safe copy: functions, signals and undefined are left out; nothing else is changed. */
function plain(value: unknown): unknown {
  if (value === null || typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return value;
  if (Array.isArray(value)) return value.map(plain);
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) {
      if (item === undefined || typeof item === 'function') continue;
      out[key] = plain(item);
    }
    return out;
  }
  return undefined;
}

/** The configuration the run used: the config given, the defaults it fell back on, and never the token. */
export function resolvedConfigOf(config: ManifestConfigSource, defaults: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { api, pool, ...rest } = config;
  const given = plain(rest) as Record<string, unknown>;
  delete given.file;
  delete given.onNotice;
  const poolGiven = (plain(pool ?? {}) as Record<string, unknown>) ?? {};
  const poolDefaults = (defaults.pool ?? {}) as Record<string, unknown>;
  return {
    ...given,
    readBackWindowMs: config.readBackWindowMs ?? defaults.readBackWindowMs,
    api: { baseUrl: api.baseUrl, accountUuid: api.accountUuid, timeoutMs: api.timeoutMs, token: api.token === '' ? '(none)' : REDACTED },
    pool: { ...poolDefaults, ...Object.fromEntries(Object.entries(poolGiven).filter(([, v]) => v !== undefined)) },
  };
}

export function buildRunManifest(facts: ManifestFacts): RunManifest {
  const at = (path: string) => manifestRelative(facts.manifestFolder, path);
  const { config } = facts;
  return {
    kind: MANIFEST_KIND,
    version: MANIFEST_VERSION,
    tool: { ...facts.tool },
    commandLine: commandLineOf(facts.argv, [config.api.token]),
    config: resolvedConfigOf(config, facts.defaults),
    api: { baseUrl: config.api.baseUrl, accountUuid: config.api.accountUuid },
    entity: config.entity,
    mapping: facts.mapping.map((m) => ({ header: m.header, field: m.field, column: m.columnIndex })),
    ignoredColumns: [...facts.ignoredColumns],
    input: {
      path: at(facts.input.path),
      ...(facts.input.sheet !== undefined ? { sheet: facts.input.sheet } : {}),
      size: facts.input.size,
      sha256: facts.input.sha256,
    },
    startedAt: isoWithOffset(facts.startedAt, facts.utcOffsetMinutes),
    endedAt: isoWithOffset(facts.endedAt, facts.utcOffsetMinutes),
    summary: { equation: facts.equation, counts: { ...facts.counts } },
    outcomes: { algorithm: OUTCOME_DIGEST_ALGORITHM, rows: facts.outcomes.rows, sha256: facts.outcomes.sha256 },
    report: { path: at(facts.report.path), size: facts.report.size, sha256: facts.report.sha256 },
    journal: { path: at(facts.journal.path), size: facts.journal.size, sha256: facts.journal.sha256 },
    ...(facts.htmlReport !== undefined ? { htmlReport: at(facts.htmlReport) } : {}),
  };
}

/** `x.import.xlsx` → `x.import.manifest.json` (the workbook's extension replaced). */
export function manifestPathFor(reportPath: string): string {
  return `${reportPath.replace(/\.xlsx$/i, '')}.manifest.json`;
}

/** `x.import.xlsx` → `x.import.html`. */
export function htmlPathFor(reportPath: string): string {
  return `${reportPath.replace(/\.xlsx$/i, '')}.html`;
}
