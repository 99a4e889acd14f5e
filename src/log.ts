/**
 * Logs: pino JSON lines to a file (--log), never to the terminal where the progress bar lives.
 * Secrets and personal data stay out: the token and auth headers are redacted wherever they
 * appear, and the pipeline logs row numbers, statuses and messages, never cell values.
 */
import pino, { type Logger } from 'pino';

export type { Logger };

const redactPaths = [
  'token', '*.token', '*.*.token',
  'authorization', 'Authorization', '*.authorization', '*.Authorization', '*.*.authorization', '*.*.Authorization',
  'headers.authorization', 'headers.Authorization',
  'body', '*.body', 'values', '*.values', 'original', '*.original',
];

export function createLogger(path: string | undefined, secrets: readonly string[] = []): Logger {
  if (path === undefined) return pino({ enabled: false });
  const destination = pino.destination({ dest: path, sync: false, mkdir: true });
  const scrub = (text: string) => secrets.reduce((t, s) => (s.length >= 4 ? t.split(s).join('[REDACTED]') : t), text);
  return pino(
    {
      level: process.env.PLANNR_BULK_LOG_LEVEL ?? 'info',
      redact: { paths: redactPaths, censor: '[REDACTED]' },
      // Last line of defence: a secret that slipped into a message string is scrubbed too.
      hooks: {
        logMethod(args, method) {
          method.apply(this, args.map((a) => (typeof a === 'string' ? scrub(a) : a)) as Parameters<typeof method>);
        },
      },
    },
    destination,
  );
}
