import { parsePythonSet, printedLines, unexpectedOutput } from './command-output.js';

export interface RetirementStatesReport {
  dryRun: boolean;
  added: string[];
  removed: string[];
  remaining: string[];
  /** The states in the database after the command, by execution order. */
  current: { name: string; step: number }[];
}

const COMMAND = 'populate_retirement_states';

/**
 * Parses populate_retirement_states' report (domain.md B.1) from its stdout alone: the command
 * print()s every line of it, while stderr carries whatever Django logs and Python warns.
 */
export function parseRetirementStatesOutput(stdout: string): RetirementStatesReport {
  const lines = printedLines(stdout);
  const field = (label: string) => {
    const line = lines.find((l) => l.startsWith(`   ${label}: `));
    if (!line) throw unexpectedOutput(COMMAND, lines, `"${label}:"`);
    return parsePythonSet(line.slice(`   ${label}: `.length));
  };
  const header = lines.indexOf('States updated successfully. Current states:');
  if (!lines.includes('States have been synchronized. Differences:') || header < 0) {
    throw unexpectedOutput(COMMAND, lines, 'the synchronisation report');
  }
  const current = lines.slice(header + 1).map((line) => {
    const match = /^([A-Z][A-Z0-9_]*) \(step (\d+)\)$/.exec(line);
    if (!match) throw unexpectedOutput(COMMAND, [line], 'a "STATE (step N)" line');
    return { name: match[1] as string, step: Number(match[2]) };
  });
  return {
    dryRun: lines.includes('--- Dry run, no changes will be made ---'),
    added: field('Added'),
    removed: field('Removed'),
    remaining: field('Remaining'),
    current,
  };
}
