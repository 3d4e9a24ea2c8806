import type { Writable } from 'node:stream';
import type { RunReporter } from '../jobs/ports.js';
import type { RunRecord, StepRecord } from '../jobs/run-record.js';
import { summaryText } from '../jobs/step-summary.js';
import type { SecretRedactor } from '../logging/secret-redactor.js';

const ICON: Record<StepRecord['status'], string> = {
  pending: '·',
  running: '…',
  done: '✓',
  failed: '✗',
  skipped: '-',
};

/** Progress for `retirement-bot run …`: one line each time a step or the run changes. */
export class TerminalRunReporter implements RunReporter {
  private readonly printed = new Map<string, string>();

  constructor(
    private readonly out: Writable,
    private readonly redactor: SecretRedactor,
  ) {}

  async announce(run: RunRecord): Promise<undefined> {
    await this.changed(run);
    return undefined;
  }

  async changed(run: RunRecord): Promise<void> {
    this.line(
      'run',
      `${run.kind} ${run.app} ${run.env} [${run.id}]: ${run.status}${run.error ? ` (${errorText(run.error)})` : ''}`,
    );
    run.steps.forEach((step, index) => {
      if (step.status === 'pending') return;
      this.line(
        `step:${step.id}`,
        `  ${ICON[step.status]} ${index + 1}. ${step.title}${step.summary ? `: ${step.summary}` : ''}`,
      );
      if (step.details && step.status !== 'running') this.line(`details:${step.id}`, indent(step.details));
    });
    for (const [index, approval] of run.approvals.entries()) {
      if (approval.status === 'not_needed') continue;
      this.line(`approval:${index}`, `  ? approval for ${approval.phase}: ${approval.status}`);
    }
  }

  private line(key: string, text: string): void {
    if (this.printed.get(key) === text) return;
    this.printed.set(key, text);
    this.out.write(`${this.redactor.redact(text)}\n`);
  }
}

/** The failure's reason, then where to look (the build, the pull request) as plain URLs. */
function errorText(error: NonNullable<RunRecord['error']>): string {
  return [error.message, ...(error.links ?? []).map((link) => summaryText([link]))].join(' ');
}

function indent(text: string): string {
  return text
    .split('\n')
    .map((line) => `      ${line}`)
    .join('\n');
}
