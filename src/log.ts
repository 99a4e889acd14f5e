/**
 * Logs: pino JSON lines to a file (--log), never to the terminal where the progress bar lives.
 * Secrets and personal data stay out: the token and auth headers are redacted wherever they
 * appear, and the pipeline logs row numbers, statuses and messages, never cell values.
 *
 * pino's own `redact` paths are exact keys (case-sensitive, one level per `*`), so they cannot
 * catch a token inside a message, deep inside an object, or echoed in an encoded form by a
 * server. Every argument of every log call is therefore walked, and every string in it (keys
 * included) goes through redactSecret. This costs nothing when logging is off: the walk runs
 * only for a log line that will be written.
 */
import pino, { type Logger } from 'pino';
import { redactSecrets, REDACTED } from './api/redact.js';

export type { Logger };

const redactPaths = [
  'token', '*.token', '*.*.token',
  'authorization', 'Authorization', '*.authorization', '*.Authorization', '*.*.authorization', '*.*.Authorization',
  'headers.authorization', 'headers.Authorization',
  'body', '*.body', 'values', '*.values', 'original', '*.original',
];

/** Deeper than any object we log; past it a value is dropped rather than walked for ever. */
const MAX_DEPTH = 12;

/**
 * A copy of `value` with every string scrubbed. Errors become plain objects (type, message,
 * stack, own fields) so their text is scrubbed too; cycles become '[Circular]'.
 */
export function scrubValue(value: unknown, scrub: (text: string) => string, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return scrub(value);
  if (typeof value !== 'object' || value === null) return value;
  if (value instanceof Date) return value;
  if (depth >= MAX_DEPTH) return '[too deep]';
  if (seen.has(value)) return '[Circular]';
  seen.add(value);
  try {
    if (Array.isArray(value)) return value.map((item: unknown) => scrubValue(item, scrub, depth + 1, seen));
    if (value instanceof Map) {
      return Object.fromEntries(Array.from(value, ([key, item]: [unknown, unknown]) => [scrub(String(key)), scrubValue(item, scrub, depth + 1, seen)]));
    }
    if (value instanceof Set) return Array.from(value, (item: unknown) => scrubValue(item, scrub, depth + 1, seen));
    // An object pino can call methods on (an error keeps its class, for pino's err serializer),
    // filled with defineProperty so that a key named `__proto__` stays a key.
    const copy = (value instanceof Error ? Object.create(Object.getPrototypeOf(value) as object | null) : {}) as Record<string, unknown>;
    const put = (key: string, item: unknown, enumerable = true): void => {
      Object.defineProperty(copy, key, { value: item, enumerable, writable: true, configurable: true });
    };
    if (value instanceof Error) {
      put('message', scrub(value.message), false);
      if (value.stack !== undefined) put('stack', scrub(value.stack), false);
      if (value.cause !== undefined) put('cause', scrubValue(value.cause, scrub, depth + 1, seen), false);
    }
    for (const [key, item] of Object.entries(value)) put(scrub(key), scrubValue(item, scrub, depth + 1, seen));
    return copy;
  } finally {
    seen.delete(value);
  }
}

export function createLogger(path: string | undefined, secrets: readonly string[] = []): Logger {
  if (path === undefined) return pino({ enabled: false });
  const destination = pino.destination({ dest: path, sync: false, mkdir: true });
  const live = secrets.filter((secret) => secret !== '');
  const scrub = (text: string): string => redactSecrets(text, live);
  const scrubObject = (object: Record<string, unknown>): Record<string, unknown> => scrubValue(object, scrub) as Record<string, unknown>;
  const logger = pino(
    {
      level: process.env.PLANNR_BULK_LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: REDACTED },
      formatters: { bindings: scrubObject },
      hooks: {
        // Every argument: the merging object, the message and any format arguments (%s, %o).
        logMethod(args, method) {
          method.apply(this, args.map((arg: unknown) => scrubValue(arg, scrub)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
  return scrubbingChildren(logger, scrubObject);
}

/** pino drops the bindings formatter for children: scrub a child's bindings before pino sees them. */
function scrubbingChildren(logger: Logger, scrubObject: (object: Record<string, unknown>) => Record<string, unknown>): Logger {
  const child = logger.child.bind(logger);
  const scrubbed = (bindings: pino.Bindings, options?: pino.ChildLoggerOptions): Logger =>
    scrubbingChildren(child(scrubObject(bindings), options), scrubObject);
  Object.defineProperty(logger, 'child', { value: scrubbed, writable: true, configurable: true });
  return logger;
}
