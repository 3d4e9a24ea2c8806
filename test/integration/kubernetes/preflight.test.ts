import { existsSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { rejection } from '../../support/rejection.js';
import { APP, EmulatedCluster, SELECTOR, TOKEN, webPod } from './emulated-cluster.js';

/** connectKubernetes's preflight: kubeconfig, credentials, permissions, and a pod to exec into. */
const SERVICE_ACCOUNT_TOKEN = '/var/run/secrets/kubernetes.io/serviceaccount/token';
let cluster: EmulatedCluster;
let kubeconfig = '';
beforeAll(async () => {
  cluster = await EmulatedCluster.start();
  kubeconfig = process.env.KUBECONFIG ?? '';
});
afterEach(() => {
  process.env.KUBECONFIG = kubeconfig;
});
afterAll(async () => {
  await cluster?.stop();
});

describe('connectKubernetes preflight', () => {
  it('skips Completed pre-deploy Job pods and unfit pods, and names context, namespace and selector', async () => {
    const namespace = cluster.namespace([
      webPod('lms-edxapp-app-pre-deploy-8x2kq', { phase: 'Succeeded', ownerKind: 'Job' }),
      webPod('lms-edxapp-app-pre-deploy-9zz1a', { ownerKind: 'Job' }),
      webPod('lms-edxapp-app-5d9f-aaaaa', { deleting: true }),
      webPod('lms-edxapp-app-5d9f-bbbbb', { ready: false }),
      webPod('lms-edxapp-app-5d9f-ccccc', { phase: 'Pending' }),
      webPod('lms-edxapp-app-5d9f-ddddd', { containers: [{ name: 'nginx' }] }),
      { ...webPod('cms-edxapp-app-1'), labels: { 'ol.mit.edu/application': 'cms-edxapp' } },
    ]);
    const error = await rejection(cluster.connect(namespace));
    expect(error.code).toBe('kubernetes_no_ready_pod');
    expect(error.userMessage).toBe(
      `No Running, Ready pod with container ${APP} matches ${SELECTOR} in namespace ${namespace} (context emulator) ` +
        '(passed over: lms-edxapp-app-pre-deploy-8x2kq (Completed), ' +
        'lms-edxapp-app-pre-deploy-9zz1a (a Job pod), lms-edxapp-app-5d9f-aaaaa (terminating), ' +
        'lms-edxapp-app-5d9f-bbbbb (not Ready), lms-edxapp-app-5d9f-ccccc (Pending), ' +
        `lms-edxapp-app-5d9f-ddddd (no container ${APP})).`,
    );
  });

  it('says so plainly when nothing matches the selector at all', async () => {
    const error = await rejection(cluster.connect(cluster.namespace([])));
    expect(error.code).toBe('kubernetes_no_ready_pod');
    expect(error.userMessage).not.toContain('passed over');
  });

  it('names each missing permission, from SelfSubjectAccessReviews', async () => {
    cluster.emulator.addUser({ token: 'viewer', name: 'viewer', allow: ['list pods', 'get pods'] });
    await cluster.useKubeconfig({ token: 'viewer' });
    const namespace = cluster.namespace([webPod('lms-1')]);
    const error = await rejection(cluster.connect(namespace));
    expect(error.code).toBe('kubernetes_access_missing');
    expect(error.userMessage).toBe(
      `The bot's Kubernetes identity may not create pods/exec, get pods/exec in namespace ${namespace} (context emulator); grant the Role the README describes.`,
    );
    const reviews = cluster.emulator.requests.filter((r) => r.url.endsWith('/selfsubjectaccessreviews'));
    expect(reviews.length).toBeGreaterThanOrEqual(4);
  });

  it('reports rejected credentials (401)', async () => {
    await cluster.useKubeconfig({ token: 'not-a-token' });
    const error = await rejection(cluster.connect(cluster.namespace([webPod('lms-1')])));
    expect(error).toMatchObject({ code: 'kubernetes_unauthorized', retryable: false });
    expect(error.userMessage).toBe("The Kubernetes API (context emulator) rejected the bot's credentials.");
  });

  it('gets its token from an exec credential plugin, as `aws eks get-token` gives one', async () => {
    const plugin = join(cluster.dir, 'get-token.mjs');
    const credential = {
      apiVersion: 'client.authentication.k8s.io/v1beta1',
      kind: 'ExecCredential',
      status: { token: TOKEN, expirationTimestamp: new Date(Date.now() + 600_000).toISOString() },
    };
    await writeFile(plugin, `process.stdout.write(${JSON.stringify(JSON.stringify(credential))});\n`);
    await cluster.useKubeconfig({
      exec: { apiVersion: 'client.authentication.k8s.io/v1beta1', command: process.execPath, args: [plugin] },
    });
    const transport = await cluster.connect(cluster.namespace([webPod('lms-1')]));
    expect(await transport.exec(['echo', 'via plugin'], { timeoutSeconds: 10 })).toMatchObject({ code: 0 });
  });

  it('names a credential plugin that fails', async () => {
    await cluster.useKubeconfig({
      exec: {
        apiVersion: 'client.authentication.k8s.io/v1beta1',
        command: '/nonexistent/aws',
        args: ['eks', 'get-token'],
      },
    });
    const error = await rejection(cluster.connect(cluster.namespace([webPod('lms-1')])));
    expect(error.code).toBe('kubernetes_credentials');
    expect(error.userMessage).toBe(
      "The kubeconfig's credential plugin `/nonexistent/aws` (context emulator) gave no credentials.",
    );
  });

  it('picks a context from a KUBECONFIG list, and names the contexts when one is missing', async () => {
    const elsewhere = join(cluster.dir, 'elsewhere.yaml');
    await writeFile(
      elsewhere,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'residential-production',
        clusters: [{ name: 'residential', cluster: { server: 'https://127.0.0.1:9' } }],
        users: [{ name: 'residential-user', user: { token: 'x' } }],
        contexts: [
          { name: 'residential-production', context: { cluster: 'residential', user: 'residential-user' } },
        ],
      }),
    );
    const emulated = await cluster.useKubeconfig({ token: TOKEN }, 'applications-qa');
    process.env.KUBECONFIG = `${elsewhere}:${emulated}`;
    const namespace = cluster.namespace([webPod('lms-1')]);
    await expect(cluster.connect(namespace, { context: 'applications-qa' })).resolves.toBeDefined();

    const error = await rejection(cluster.connect(namespace, { context: 'applications-production' }));
    expect(error.code).toBe('kubernetes_config');
    expect(error.userMessage).toBe(
      'The kubeconfig has no context applications-production (it has residential-production, applications-qa).',
    );
  });

  it('refuses a server whose certificate the kubeconfig does not vouch for', async () => {
    const path = await cluster.useKubeconfig({ token: TOKEN });
    const config = cluster.emulator.kubeconfig({ token: TOKEN });
    await writeFile(
      path,
      config.replace(/"certificate-authority-data":"[^"]+"/, '"insecure-skip-tls-verify":false'),
    );
    const error = await rejection(cluster.connect(cluster.namespace([webPod('lms-1')])));
    expect(error).toMatchObject({ code: 'kubernetes_tls_untrusted', retryable: false });
  });

  it('reports an unreachable API server as retryable', async () => {
    const path = join(cluster.dir, 'unreachable.yaml');
    await writeFile(
      path,
      cluster.emulator.kubeconfig({ token: TOKEN }).replace(cluster.emulator.url, 'https://127.0.0.1:9'),
    );
    process.env.KUBECONFIG = path;
    const error = await rejection(cluster.connect(cluster.namespace([webPod('lms-1')])));
    expect(error).toMatchObject({ code: 'kubernetes_unreachable', retryable: true });
  });

  // In a pod, the service account is the last resort and would be found.
  it.skipIf(existsSync(SERVICE_ACCOUNT_TOKEN))(
    'says that no kubeconfig was found rather than trying localhost:8080',
    async () => {
      const home = join(cluster.dir, 'empty-home');
      await mkdir(home, { recursive: true });
      const saved = process.env.HOME;
      delete process.env.KUBECONFIG;
      process.env.HOME = home;
      try {
        const error = await rejection(cluster.connect('anywhere'));
        expect(error.code).toBe('kubernetes_config');
        expect(error.userMessage).toContain('No kubeconfig was found');
      } finally {
        process.env.HOME = saved;
      }
    },
  );
});
