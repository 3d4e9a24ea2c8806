import { describe, expect, it } from 'vitest';
import { newRunRecord, parseRunRecord, RUN_RECORD_SCHEMA_VERSION } from '../../../src/jobs/run-record.js';
import { rejection } from '../../support/rejection.js';

const run = newRunRecord({
  id: 'r0000000001',
  kind: 'plan',
  app: 'xpro',
  env: 'ci',
  requestedBy: 'U1',
  now: 5,
});

describe('stored run records', () => {
  it('read back what was written', () => {
    expect(parseRunRecord(JSON.stringify(run), 'k')).toEqual(run);
  });

  it('refuse a record of another schema version, or none, as a typed error naming the key', async () => {
    const { schemaVersion: _version, ...older } = run;
    for (const json of [
      JSON.stringify(older),
      JSON.stringify({ ...run, schemaVersion: RUN_RECORD_SCHEMA_VERSION + 1 }),
    ]) {
      const error = await rejection((async () => parseRunRecord(json, 'rb:run:r0000000001'))());
      expect(error.code).toBe('run_record_unreadable');
      expect(error.detail).toContain('rb:run:r0000000001: schema version');
    }
  });

  it('refuse a record whose fields do not match, and text that is not JSON', async () => {
    const wrong = await rejection(
      (async () => parseRunRecord(JSON.stringify({ ...run, status: 'done' }), 'k'))(),
    );
    expect(wrong.code).toBe('run_record_unreadable');
    expect(wrong.detail).toContain('status');
    expect((await rejection((async () => parseRunRecord('{', 'k'))())).code).toBe('run_record_unreadable');
  });
});
