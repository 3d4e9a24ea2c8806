import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { canRunLmsImage, LmsImage } from '../../../emulators/kubernetes/lms-image.js';
import { parseManageUserOutput } from '../../../src/integrations/edx-worker/manage-user-output.js';
import { parseRetirementStatesOutput } from '../../../src/integrations/edx-worker/retirement-states-output.js';
import {
  type ArgvExecTransport,
  DEFAULT_MANAGE_COMMAND,
} from '../../../src/integrations/kubernetes/kubernetes-transport.js';
import { APP, EmulatedCluster, webPod } from './emulated-cluster.js';

/**
 * The runbook's commands through the transport into a pod whose container runs the simulated
 * edx-platform: the same commands, parsers and idempotency as over SSH, with `python manage.py lms`
 * from the image's working directory instead of a login shell and edxapp_env.
 */
const STATES = ['PENDING', 'RETIRING_FORUMS', 'FORUMS_COMPLETE', 'ERRORED', 'ABORTED', 'COMPLETE'];
const WORKER = 'retirement_service_worker';
const APPLICATION = 'retirement';

let image: LmsImage;
let cluster: EmulatedCluster;
let transport: ArgvExecTransport;

beforeAll(async () => {
  if (!canRunLmsImage()) return;
  image = await LmsImage.prepare({ retirementStates: STATES, workerUsername: WORKER });
  cluster = await EmulatedCluster.start();
  const namespace = cluster.namespace([
    webPod('lms-edxapp-app-6f7d9-x2k4p', { containers: [image.container(APP), { name: 'vector' }] }),
  ]);
  transport = await cluster.connect(namespace);
}, 60_000);
afterAll(async () => {
  await cluster?.stop();
  await image?.remove();
});

async function manage(...args: string[]): Promise<{ stdout: string; output: string }> {
  const result = await transport.exec([...DEFAULT_MANAGE_COMMAND, ...args], { timeoutSeconds: 60 });
  expect(result.code, result.stderr).toBe(0);
  return { stdout: result.stdout, output: `${result.stdout}\n${result.stderr}` };
}

describe.skipIf(!canRunLmsImage())('the simulated LMS in a pod, over the Kubernetes transport', () => {
  it('populates the retirement states, then finds nothing to change', async () => {
    const preview = parseRetirementStatesOutput(
      (await manage('populate_retirement_states', '--dry_run')).stdout,
    );
    expect(preview).toMatchObject({ dryRun: true, current: [] });
    const first = parseRetirementStatesOutput((await manage('populate_retirement_states')).stdout);
    expect(first.current.map((s) => s.name)).toEqual(STATES);
    expect(first.added.toSorted()).toEqual(STATES.toSorted());
    const second = parseRetirementStatesOutput((await manage('populate_retirement_states')).stdout);
    expect(second).toMatchObject({ added: [], removed: [] });
  });

  it('creates the worker once and finds it the second time', async () => {
    const args = ['manage_user', WORKER, `${WORKER}@example.com`, '--staff', '--superuser'];
    expect(parseManageUserOutput((await manage(...args)).output, WORKER).created).toBe(true);
    expect(parseManageUserOutput((await manage(...args)).output, WORKER).created).toBe(false);
  });

  it('sets one application to credentials whose secret arrives on stdin, twice without a second one', async () => {
    const secret = 'S'.repeat(128);
    const script = 'IFS= read -r RB_SECRET && exec "$@" --client-secret "$RB_SECRET" </dev/null';
    const converge = () =>
      transport.exec(
        [
          'sh',
          '-c',
          script,
          'sh',
          ...DEFAULT_MANAGE_COMMAND,
          'create_dot_application',
          APPLICATION,
          WORKER,
          '--grant-type',
          'client-credentials',
          '--client-id',
          'c'.repeat(40),
          '--update',
        ],
        { timeoutSeconds: 60, stdin: `${secret}\n` },
      );
    for (const attempt of [1, 2]) {
      const result = await converge();
      expect(result.code, `attempt ${attempt}: ${result.stderr}`).toBe(0);
      expect(`${result.stdout}${result.stderr}`).toContain(
        `application with id: 1, client_id: ${'c'.repeat(40)}`,
      );
    }
    expect(cluster.emulator.execUrls().map(decodeURIComponent).join('\n')).not.toContain(secret);
  });

  it("reports a failing command's exit code with Django's error on stderr", async () => {
    await image.setFault('fail');
    try {
      const result = await transport.exec([...DEFAULT_MANAGE_COMMAND, 'populate_retirement_states'], {
        timeoutSeconds: 60,
      });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain('OperationalError: could not connect to server');
    } finally {
      await image.setFault(null);
    }
  });

  it('stops a hung management command with timeout inside the container', async () => {
    await image.setFault('hang');
    try {
      const result = await transport.exec([...DEFAULT_MANAGE_COMMAND, 'populate_retirement_states'], {
        timeoutSeconds: 2,
      });
      expect(result.code).toBe(124);
    } finally {
      await image.setFault(null);
    }
  });
});
