import { LogLevel, type Logger as SlackLogger } from '@slack/bolt';
import type { Logger } from '../logging/logger.js';

/** Routes Bolt's and web-api's logging through our pino logger, so redaction applies to them too. */
export function toSlackLogger(logger: Logger): SlackLogger {
  let level = LogLevel.INFO;
  return {
    debug: (...msg: unknown[]) => logger.debug({ slack: true }, format(msg)),
    info: (...msg: unknown[]) => logger.info({ slack: true }, format(msg)),
    warn: (...msg: unknown[]) => logger.warn({ slack: true }, format(msg)),
    error: (...msg: unknown[]) => logger.error({ slack: true }, format(msg)),
    setLevel: (next: LogLevel) => {
      level = next;
    },
    getLevel: () => level,
    setName: () => undefined,
  };
}

function format(parts: unknown[]): string {
  return parts
    .map((part) => (part instanceof Error ? `${part.name}: ${part.message}` : String(part)))
    .join(' ');
}
