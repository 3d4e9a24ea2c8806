import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { EmulatedCluster, webPod } from './emulated-cluster.js';

/**
 * The emulator checked by a client it was not written with: kubectl (client-go) lists pods through
 * its discovery, execs over websockets and reads exit codes from the status channel, so the
 * emulator is known to speak the real protocol and the tests of the bot's transport mean something.
 */
const KUBECTL = '/usr/bin/kubectl';
const NAMESPACE = 'mitxonline-openedx-1';
const POD = 'lms-edxapp-app-6f7d9-x2k4p';

let cluster: EmulatedCluster;
let env: NodeJS.ProcessEnv;

beforeAll(async () => {
  if (!existsSync(KUBECTL)) return;
  cluster = await EmulatedCluster.start();
  cluster.namespace([
    webPod(POD),
    webPod('lms-edxapp-app-pre-deploy-8x2kq', { phase: 'Succeeded', ownerKind: 'Job' }),
  ]);
  cluster.emulator.addUser({ token: 'viewer', name: 'viewer', allow: ['get pods'] });
  // HOME holds kubectl's discovery cache.
  env = { PATH: process.env.PATH, HOME: cluster.dir, KUBECONFIG: process.env.KUBECONFIG };
});
afterAll(async () => {
  await cluster?.stop();
});

function kubectl(
  args: string[],
  input?: string,
): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(KUBECTL, args, { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(input);
  });
}

const podList = z.object({
  items: z.array(
    z.object({ metadata: z.object({ name: z.string() }), status: z.object({ phase: z.string() }) }),
  ),
});

describe.skipIf(!existsSync(KUBECTL))('kubectl against the emulated API server', () => {
  it('gets pods by label selector as JSON, after its discovery', async () => {
    const result = await kubectl([
      'get',
      'pods',
      '-n',
      NAMESPACE,
      '-l',
      'ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp',
      '-o',
      'json',
    ]);
    expect(result.code, result.stderr).toBe(0);
    const pods = podList.parse(JSON.parse(result.stdout)).items.map((p) => [p.metadata.name, p.status.phase]);
    expect(pods).toEqual([
      [POD, 'Running'],
      ['lms-edxapp-app-pre-deploy-8x2kq', 'Succeeded'],
    ]);
    expect(cluster.emulator.requests.map((r) => r.url.split('?')[0])).toEqual(
      expect.arrayContaining(['/api', '/apis', '/api/v1']),
    );
  });

  it("execs over v5.channel.k8s.io and exits with the failing command's exit code", async () => {
    const result = await kubectl([
      'exec',
      '-n',
      NAMESPACE,
      POD,
      '-c',
      'lms-edxapp-app',
      '--',
      'sh',
      '-c',
      'echo out; echo err >&2; exit 3',
    ]);
    expect(result).toMatchObject({ code: 3, stdout: 'out\n' });
    expect(result.stderr).toContain('err\n');
    expect(result.stderr).toContain('command terminated with exit code 3');
    const exec = cluster.emulator.requests.findLast((r) => r.url.includes('/exec?'));
    expect(exec).toMatchObject({ method: 'GET', protocols: 'v5.channel.k8s.io' });
  });

  it('passes stdin with -i and ends it with the v5 close frame', async () => {
    const result = await kubectl(
      ['exec', '-i', '-n', NAMESPACE, POD, '-c', 'lms-edxapp-app', '--', 'cat'],
      'hi\n',
    );
    expect(result).toMatchObject({ code: 0, stdout: 'hi\n' });
  });

  it('prints the Status bodies of refusals as it does for a real API server', async () => {
    const exec = await kubectl([
      '--token',
      'viewer',
      'exec',
      '-n',
      NAMESPACE,
      POD,
      '-c',
      'lms-edxapp-app',
      '--',
      'true',
    ]);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain(
      `Error from server (Forbidden): pods "${POD}" is forbidden: User "viewer" cannot create resource "pods/exec" in API group "" in the namespace "${NAMESPACE}"`,
    );
    const list = await kubectl(['--token', 'viewer', 'get', 'pods', '-n', NAMESPACE]);
    expect(list.stderr).toContain(
      `Error from server (Forbidden): pods is forbidden: User "viewer" cannot list resource "pods" in API group "" in the namespace "${NAMESPACE}"`,
    );
    const missing = await kubectl(['get', 'pod', 'gone', '-n', NAMESPACE]);
    expect(missing.stderr).toContain('Error from server (NotFound): pods "gone" not found');
    const unknown = await kubectl(['--token', 'wrong', 'get', 'pods', '-n', NAMESPACE]);
    expect(unknown.stderr).toContain('error: You must be logged in to the server (Unauthorized)');
  });
});
