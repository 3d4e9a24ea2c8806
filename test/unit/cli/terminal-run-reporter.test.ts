import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { TerminalRunReporter } from '../../../src/cli/terminal-run-reporter.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { FIXTURE_LINKS, failedBuild } from '../../support/run-fixtures.js';

describe('the terminal run reporter', () => {
  it('prints where to look after a failure: its links as plain URLs', async () => {
    let printed = '';
    const out = new Writable({
      write: (chunk, _encoding, done) => {
        printed += String(chunk);
        done();
      },
    });
    const run = failedBuild();
    await new TerminalRunReporter(out, new SecretRedactor()).changed(run);
    expect(printed).toContain(
      `[${run.id}]: failed (Build #3 ended failed. ${FIXTURE_LINKS.build.label} (${FIXTURE_LINKS.build.url}))`,
    );
  });
});
