import { meaningfulLines, unexpectedOutput } from './command-output.js';

export interface ManageUserReport {
  created: boolean;
  /** Flags the command changed, e.g. `is_staff`, with the value it set. */
  flagsSet: { flag: string; value: boolean }[];
}

/** Parses manage_user's stderr messages (domain.md B.2). */
export function parseManageUserOutput(output: string, username: string): ManageUserReport {
  const lines = meaningfulLines(output);
  const created = lines.includes(`Created new user: "${username}"`);
  if (!created && !lines.includes(`Found existing user: "${username}"`)) {
    throw unexpectedOutput(
      'manage_user',
      lines,
      `"Created new user" or "Found existing user" for ${username}`,
    );
  }
  const flagsSet = lines.flatMap((line) => {
    const match = /^Setting (is_staff|is_superuser) for user "(.*)" to "(True|False)"$/.exec(line);
    return match && match[2] === username ? [{ flag: match[1] as string, value: match[3] === 'True' }] : [];
  });
  return { created, flagsSet };
}
