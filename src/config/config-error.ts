import { BotError } from '../errors.js';

/** Start-up configuration problems, all of them at once, so an operator fixes them in one pass. */
export class ConfigError extends BotError<'config_invalid'> {
  readonly problems: readonly string[];

  constructor(problems: readonly string[]) {
    super({
      code: 'config_invalid',
      userMessage: `Configuration is invalid:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    });
    this.problems = problems;
  }
}
