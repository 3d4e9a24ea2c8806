import { z } from 'zod';
import { NAME_PATTERN } from '../../config/catalog-schema.js';
import { BotError } from '../../errors.js';

/** How long Silence holds a pair's alerts back; each is one button. */
export const SILENCE_CHOICES = ['1h', '1d', '1w'] as const;
export type SilenceChoice = (typeof SILENCE_CHOICES)[number];
export const SILENCE_MS: Record<SilenceChoice, number> = {
  '1h': 3_600_000,
  '1d': 86_400_000,
  '1w': 7 * 86_400_000,
};

const name = z.string().regex(NAME_PATTERN);
const pairSchema = z
  .string()
  .transform((value) => value.split('/'))
  .pipe(z.tuple([name, name]));
const silenceSchema = z
  .string()
  .transform((value) => value.split(':'))
  .pipe(z.tuple([z.string(), z.enum(SILENCE_CHOICES)]));

/** A pair's buttons carry `app/env` only; the catalog says the rest. */
export function pairButtonValue(pair: { app: string; env: string }): string {
  return `${pair.app}/${pair.env}`;
}

export function silenceButtonValue(pair: { app: string; env: string }, choice: SilenceChoice): string {
  return `${pairButtonValue(pair)}:${choice}`;
}

export function parsePairButton(value: string | undefined): { app: string; env: string } {
  const parsed = pairSchema.safeParse(value);
  if (!parsed.success) throw invalidButton();
  const [app, env] = parsed.data;
  return { app, env };
}

export function parseSilenceButton(value: string | undefined): {
  app: string;
  env: string;
  choice: SilenceChoice;
} {
  const parsed = silenceSchema.safeParse(value);
  if (!parsed.success) throw invalidButton();
  const [pair, choice] = parsed.data;
  return { ...parsePairButton(pair), choice };
}

function invalidButton(): BotError {
  return new BotError({ code: 'button_invalid', userMessage: 'This button is not valid any more.' });
}
