import { Writable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canHostEdxWorker, EdxWorkerHost } from '../../../emulators/edx-worker/edx-worker-host.js';
import type { Target } from '../../../src/config/catalog.js';
import { EdxWorkerClient } from '../../../src/integrations/edx-worker/edx-worker-client.js';
import type { ExecTransport } from '../../../src/integrations/edx-worker/exec-transport.js';
import { sshManagement } from '../../../src/integrations/edx-worker/management-transport.js';
import { manageCommand } from '../../../src/integrations/edx-worker/remote-command.js';
import { connectSsh } from '../../../src/integrations/edx-worker/ssh-transport.js';
import {
  generateClientId,
  generateClientSecret,
} from '../../../src/integrations/lms-oauth/generated-credentials.js';
import { verifyClientCredentials } from '../../../src/integrations/lms-oauth/verify-client-credentials.js';
import { createLogger } from '../../../src/logging/logger.js';
import { SecretRedactor } from '../../../src/logging/secret-redactor.js';
import { rejection } from '../../support/rejection.js';
import { testCatalog } from '../../support/test-catalog.js';

/** The edx-worker client over real SSH to the simulated host (sshd, sudo, Django + DOT). */
let host: EdxWorkerHost;
const logs: string[] = [];
/** Every command line the client gave the transport: what a host would log. */
const commandLines: string[] = [];
const redactor = new SecretRedactor();
const logger = createLogger({
  level: 'debug',
  redactor,
  destination: new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  }),
});

beforeAll(async () => {
  if (canHostEdxWorker()) host = await EdxWorkerHost.start();
}, 60_000);
afterAll(async () => {
  await host?.stop();
});

function target(timeoutSeconds = 60): Target {
  const base = testCatalog({
    sshHost: host.host,
    sshPort: host.port,
    sshUser: host.loginUser,
    sshAppUser: host.appUser,
    lmsUrl: host.lmsUrl,
  }).get('mitxonline', 'qa') as Extract<Target, { transport: 'ssh' }>;
  return { ...base, edxWorker: { ...base.edxWorker, commandTimeoutSeconds: timeoutSeconds } };
}

function overSsh(transport: ExecTransport) {
  return sshManagement(transport, { host: host.host, port: host.port, appUser: host.appUser });
}

async function client(options: { knownHosts?: string; port?: number; timeoutSeconds?: number } = {}) {
  const transport = await connectSsh({
    host: host.host,
    port: options.port ?? host.port,
    username: host.loginUser,
    privateKey: host.privateKey,
    knownHosts: options.knownHosts ?? host.knownHosts,
    readyTimeoutMs: 5_000,
    logger,
  });
  const recording: ExecTransport = {
    exec: (command, execOptions) => {
      commandLines.push(command);
      return transport.exec(command, execOptions);
    },
    close: () => transport.close(),
  };
  return {
    transport,
    edx: new EdxWorkerClient({
      transport: overSsh(recording),
      target: target(options.timeoutSeconds),
      redactor,
      logger,
    }),
  };
}

describe.skipIf(!canHostEdxWorker())('EdxWorkerClient over SSH', () => {
  it('runs the three commands, then finds everything already in place, with one application', async () => {
    const { transport, edx } = await client();
    try {
      expect(await edx.inspect()).toEqual({
        user: { exists: false, isStaff: false, isSuperuser: false },
        application: { exists: false },
      });
      expect(await edx.previewRetirementStates()).toMatchObject({ changed: true, states: [] });
      const states = await edx.populateRetirementStates();
      expect(states).toMatchObject({ changed: true, removed: [], states: target().retirementStates });
      expect(await edx.ensureWorkerUser()).toEqual({
        created: true,
        changedFlags: ['is_staff', 'is_superuser'],
      });
      const credentials = { id: generateClientId(), secret: generateClientSecret() };
      redactor.register(credentials.secret);
      expect(await edx.convergeDotApplication(credentials)).toEqual({ created: true });

      expect(await edx.populateRetirementStates()).toMatchObject({ changed: false });
      expect(await edx.ensureWorkerUser()).toEqual({ created: false, changedFlags: [] });
      expect(await edx.convergeDotApplication(credentials)).toEqual({ created: false });
      expect(await host.applications()).toHaveLength(1);
      expect(await edx.inspect()).toEqual({
        user: { exists: true, isStaff: true, isSuperuser: true },
        application: { exists: true, clientId: credentials.id },
      });

      await verifyClientCredentials({ ...credentials, host: host.lmsUrl });
      const wrong = await rejection(
        verifyClientCredentials({ id: credentials.id, secret: 'not-the-secret', host: host.lmsUrl }),
      );
      expect(wrong.code).toBe('lms_credentials_rejected');
      expect(logs.join('\n')).not.toContain(credentials.secret);
      expect(commandLines.join('\n')).not.toContain(credentials.secret);
    } finally {
      await transport.close();
    }
  }, 60_000);

  it('converges to the same credentials after a run died while create_dot_application ran', async () => {
    const other = { ...target(5), workerUsername: 'interrupted_worker' };
    const credentials = { id: generateClientId(), secret: generateClientSecret() };
    const first = await client({ timeoutSeconds: 5 });
    const interrupted = new EdxWorkerClient({
      transport: overSsh(first.transport),
      target: other,
      redactor,
      logger,
    });
    await interrupted.ensureWorkerUser();
    await host.setFault('pause-after-create');
    const timedOut = await rejection(interrupted.convergeDotApplication(credentials));
    expect(timedOut.code).toBe('ssh_command_timeout');
    await first.transport.close();
    await host.setFault(null);
    expect((await host.applications()).filter((a) => a.user === 'interrupted_worker')).toHaveLength(1);

    const second = await client();
    try {
      const converged = await new EdxWorkerClient({
        transport: overSsh(second.transport),
        target: other,
        redactor,
        logger,
      }).convergeDotApplication(credentials);
      expect(converged.created).toBe(false);
      const apps = (await host.applications()).filter((a) => a.user === 'interrupted_worker');
      expect(apps).toEqual([
        expect.objectContaining({ clientId: credentials.id, grantType: 'client-credentials' }),
      ]);
      await verifyClientCredentials({ ...credentials, host: host.lmsUrl });
    } finally {
      await second.transport.close();
    }
  }, 60_000);

  it('refuses a host key that is not pinned', async () => {
    const forged = host.knownHosts.replace(
      /ssh-ed25519 \S+/,
      'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl',
    );
    const error = await rejection(client({ knownHosts: forged }));
    expect(error.code).toBe('ssh_host_key_mismatch');
    expect(error.userMessage).toContain(host.hostKeyFingerprint);
    const unknown = await rejection(client({ knownHosts: '' }));
    expect(unknown.userMessage).toContain('is not in the pinned known_hosts');
  });

  it('reports SSH down as retryable', async () => {
    expect(await rejection(client({ port: 9 }))).toMatchObject({ code: 'ssh_unreachable', retryable: true });
  });

  it('stops a hung command with timeout on the host', async () => {
    const { transport, edx } = await client({ timeoutSeconds: 5 });
    await host.setFault('hang');
    try {
      expect(await rejection(edx.populateRetirementStates())).toMatchObject({
        code: 'ssh_command_timeout',
        retryable: true,
      });
    } finally {
      await host.setFault(null);
      await transport.close();
    }
  }, 30_000);

  it('quotes the error of a failing command and of garbled output', async () => {
    const { transport, edx } = await client();
    try {
      await host.setFault('fail');
      const failed = await rejection(edx.ensureWorkerUser());
      expect(failed.code).toBe('edx_command_failed');
      expect(failed.userMessage).toContain('OperationalError: could not connect to server');
      await host.setFault('garble');
      const garbled = await rejection(edx.populateRetirementStates());
      expect(garbled.code).toBe('edx_unexpected_output');
      expect(garbled.userMessage).toContain('segmentation of the flux capacitor');
    } finally {
      await host.setFault(null);
      await transport.close();
    }
  });

  it('reads the states from stdout while stderr carries log lines and a two-line warning', async () => {
    const { transport, edx } = await client();
    await host.setFault('noisy-stderr');
    try {
      const expected = target().retirementStates;
      expect(await edx.previewRetirementStates()).toMatchObject({ changed: false, states: expected });
      expect(await edx.populateRetirementStates()).toMatchObject({ changed: false, states: expected });
      expect(await edx.ensureWorkerUser()).toEqual({ created: false, changedFlags: [] });
      const raw = await transport.exec(
        manageCommand(host.appUser, ['populate_retirement_states', '--dry_run'], 60),
        { timeoutSeconds: 60 },
      );
      expect(raw.stderr).toMatch(
        /RemovedInDjango41Warning: .*\n {2}app_config = AppConfig\.create\(entry\)\n/,
      );
      expect(raw.stderr).toMatch(/^[-\d]+ [\d:,]+ INFO \d+ \[/m);
    } finally {
      await host.setFault(null);
      await transport.close();
    }
  });

  it('refuses to renumber states while users are mid-retirement', async () => {
    await host.addUserInRetirement('learner_mid_way', 'RETIRING_FORUMS');
    const { transport, edx } = await client();
    try {
      const error = await rejection(edx.populateRetirementStates());
      expect(error.code).toBe('edx_users_mid_retirement');
      expect(error.userMessage).toContain('Users are currently being processed');
    } finally {
      await transport.close();
    }
  });
});
