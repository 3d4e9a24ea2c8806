import { meaningfulLines, unexpectedOutput } from './command-output.js';

export type DotApplicationReport =
  | { kind: 'created' | 'updated'; applicationId: number; clientId: string; clientSecret: string }
  | { kind: 'exists' };

const RESULT =
  /^(Created|Updated) (\S+) application with id: (\d+), client_id: (\S+), and client_secret: (\S+)$/;

/** Parses create_dot_application's log lines (domain.md B.3); the secret is only ever returned. */
export function parseDotApplicationOutput(
  output: string,
  name: string,
  username: string,
): DotApplicationReport {
  const lines = meaningfulLines(output);
  for (const line of lines) {
    const match = RESULT.exec(line);
    if (match && match[2] === name) {
      return {
        kind: match[1] === 'Created' ? 'created' : 'updated',
        applicationId: Number(match[3]),
        clientId: match[4] as string,
        clientSecret: match[5] as string,
      };
    }
    if (line === `Application with name ${name} and user ${username} already exists.`)
      return { kind: 'exists' };
  }
  throw unexpectedOutput('create_dot_application', lines, `the "${name} application" result line`);
}
