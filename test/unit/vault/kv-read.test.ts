import { describe, expect, it } from 'vitest';
import { BotError } from '../../../src/errors.js';
import { casVersion, readKv, type VaultReader } from '../../../src/integrations/vault/kv-read.js';

/** node-vault's rejection for a non-2xx answer: the status and the parsed body. */
function answered(statusCode: number, body: unknown) {
  return Object.assign(new Error(`Status ${statusCode}`), { response: { statusCode, body } });
}

function reader(answers: Record<string, () => unknown>): VaultReader {
  return {
    address: 'http://vault.test',
    read: async (path) => (answers[path] ?? (() => Promise.reject(answered(404, { errors: [] }))))(),
  };
}

const DATA = 'kv/data/team/secret';
const METADATA = 'kv/metadata/team/secret';
const deletedBody = {
  data: {
    data: null,
    metadata: { version: 4, created_time: '2024-01-01T00:00:00Z', deletion_time: '2024-01-02T00:00:00Z' },
  },
};

describe('readKv', () => {
  it('reads a deleted version as absent, keeping its number for check-and-set', async () => {
    const vault = reader({ [DATA]: () => Promise.reject(answered(404, deletedBody)) });
    const current = await readKv(vault, DATA, 2);
    expect(current).toEqual({ state: 'absent', currentVersion: 4 });
    expect(await casVersion(vault, METADATA, current)).toBe(4);
  });

  it('asks metadata/ when a 404 does not name the version, and takes 403 or 404 there as none', async () => {
    const plain = { state: 'absent' } as const;
    expect(
      await casVersion(
        reader({ [METADATA]: async () => ({ data: { current_version: 7 } }) }),
        METADATA,
        plain,
      ),
    ).toBe(7);
    expect(
      await casVersion(reader({ [METADATA]: () => Promise.reject(answered(403, {})) }), METADATA, plain),
    ).toBe(0);
    expect(await casVersion(reader({}), METADATA, plain)).toBe(0);
  });

  it('turns an answer it cannot parse into vault_unexpected_answer without quoting it', async () => {
    const vault = reader({
      [DATA]: async () => ({ data: { data: { secret: 'hunter2-secret' }, metadata: {} } }),
    });
    const error = await readKv(vault, DATA, 2).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(BotError);
    expect(error).toMatchObject({
      code: 'vault_unexpected_answer',
      detail: expect.stringContaining('data.metadata.version'),
    });
    expect(JSON.stringify(error) + String(error)).not.toContain('hunter2');
  });
});
