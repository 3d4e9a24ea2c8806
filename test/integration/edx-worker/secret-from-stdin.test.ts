import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker, EdxWorkerHost } from '../../../emulators/edx-worker/edx-worker-host.js';
import { shellQuote } from '../../../src/integrations/edx-worker/shell-quote.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import { rejection } from '../../support/rejection.js';
import { makeWorker, sshAsLoginUser } from './ssh-as-login-user.js';

/**
 * A secret that never appears on a command line: the remote shell reads it from stdin, through
 * `sudo -n su -`, and hands it to create_dot_application as "$RB_SECRET".
 */
let host: EdxWorkerHost;
let ssh: Awaited<ReturnType<typeof sshAsLoginUser>>;

beforeAll(async () => {
  if (!canHostEdxWorker()) return;
  host = await EdxWorkerHost.start();
  ssh = await sshAsLoginUser(host);
}, 60_000);
afterAll(async () => {
  ssh?.close();
  await host?.stop();
});

function createWithSecretOnStdin(worker: string, clientId: string) {
  const script = [
    'source edxapp_env',
    'IFS= read -r RB_SECRET',
    `python edx-platform/manage.py lms create_dot_application retirement ${worker}` +
      ` --grant-type client-credentials --client-id ${clientId} --client-secret "$RB_SECRET" --update`,
  ].join(' && ');
  return `timeout 60 sudo -n su - ${shellQuote(host.appUser)} -s /bin/bash -c ${shellQuote(script)}`;
}

// Characters a shell would act on if the secret were ever unquoted or re-parsed.
const SECRETS = { first: `a $HOME 'b' "c" \\d *e ;f`, second: `second $(id) \`g\` h` };

describe.skipIf(!canHostEdxWorker())('create_dot_application with the secret read from stdin', () => {
  it.each([
    { mode: 'plain', hashedSecrets: false },
    { mode: 'hashed', hashedSecrets: true },
  ])(
    'sets the secret the LMS accepts, in the $mode mode',
    async ({ mode, hashedSecrets }) => {
      await host.setModes({ hashedSecrets });
      const worker = `stdin_worker_${mode}`;
      const clientId = `stdin-client-${mode}`;
      await makeWorker(ssh, worker);
      try {
        for (const secret of [SECRETS.first, SECRETS.second]) {
          const result = await ssh.run(createWithSecretOnStdin(worker, clientId), `${secret}\n`);
          expect(result.code, result.stderr).toBe(0);
          await verifyClientCredentials({ id: clientId, secret, host: host.lmsUrl });
        }
        expect(await host.storedSecretIsHashed(clientId)).toBe(hashedSecrets);
        expect(
          await rejection(
            verifyClientCredentials({ id: clientId, secret: SECRETS.first, host: host.lmsUrl }),
          ),
        ).toMatchObject({ code: 'lms_credentials_rejected' });
        expect((await host.applications()).filter((a) => a.user === worker)).toEqual([
          expect.objectContaining({ clientId, grantType: 'client-credentials' }),
        ]);
      } finally {
        await host.setModes({});
      }
    },
    60_000,
  );
});
