import { z } from 'zod';
import { NAME_PATTERN } from '../../config/catalog-schema.js';
import { BotError } from '../../errors.js';

/** What the board's per-pair menu offers. */
export const BOARD_CHOICES = ['check', 'plan', 'setup'] as const;
export type BoardChoice = (typeof BOARD_CHOICES)[number];

const name = z.string().regex(NAME_PATTERN);
const choiceSchema = z
  .string()
  .transform((value) => value.split(/[:/]/))
  .pipe(z.tuple([z.enum(BOARD_CHOICES), name, name]));

/** `check:mitxonline/production`: the choice and the pair, nothing else. */
export function boardChoiceValue(choice: BoardChoice, pair: { app: string; env: string }): string {
  return `${choice}:${pair.app}/${pair.env}`;
}

export function parseBoardChoice(value: string | undefined): {
  choice: BoardChoice;
  app: string;
  env: string;
} {
  const parsed = choiceSchema.safeParse(value);
  if (!parsed.success)
    throw new BotError({ code: 'button_invalid', userMessage: 'This menu is not valid any more.' });
  const [choice, app, env] = parsed.data;
  return { choice, app, env };
}
