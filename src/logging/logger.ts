import { type DestinationStream, type Logger, pino } from 'pino';
import type { SecretRedactor } from './secret-redactor.js';

export type { Logger } from 'pino';

/** Field names that hold credentials wherever they appear in a log object. */
const REDACTED_PATHS = [
  'token',
  'password',
  'secret',
  'client_secret',
  'clientSecret',
  'authorization',
  '*.token',
  '*.password',
  '*.secret',
  '*.client_secret',
  '*.clientSecret',
  '*.authorization',
  'headers.authorization',
  '*.headers.authorization',
  "*.headers['x-vault-token']",
];

export interface LoggerOptions {
  level: string;
  redactor: SecretRedactor;
  destination?: DestinationStream;
}

export function createLogger({ level, redactor, destination }: LoggerOptions): Logger {
  return pino(
    {
      level,
      base: { service: 'retirement-bot' },
      redact: { paths: REDACTED_PATHS, censor: '[REDACTED]' },
      hooks: { streamWrite: (line) => redactor.redact(line) },
    },
    destination ?? pino.destination({ sync: false }),
  );
}
