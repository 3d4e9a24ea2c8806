import {
  AuthorizationV1Api,
  CoreV1Api,
  createConfiguration,
  type RequestContext,
  type ResponseContext,
  ServerConfiguration,
} from '@kubernetes/client-node';
import { BotError } from '../../errors.js';
import type { Logger } from '../../logging/logger.js';
import type { ExecResult } from '../edx-worker/exec-transport.js';
import { missingAccess } from './access-review.js';
import { type LoadedKubeConfig, loadKubeConfig } from './kube-config.js';
import { errorSummary, requestFailure } from './kube-errors.js';
import { execInPod } from './pod-exec.js';
import { choosePod } from './pod-selection.js';

/** The image's working directory is /openedx/edx-platform, so manage.py needs no path. */
export const DEFAULT_MANAGE_COMMAND = ['python', 'manage.py', 'lms'] as const;

/** As over SSH: long enough for Django to roll back a transaction, short enough to free the pod. */
const KILL_AFTER_SECONDS = 30;
/** After `timeout` and its kill grace should have ended the command, the bot stops waiting. */
const CLIENT_GRACE_SECONDS = 45;
const REQUEST_TIMEOUT_MS = 20_000;

export interface KubernetesTransportOptions {
  /** A context of the kubeconfig; the current one when absent, ignored in-cluster. */
  context?: string;
  namespace: string;
  /** A label selector, e.g. `ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp`. */
  selector: string;
  container: string;
  requestTimeoutMs?: number;
  clientGraceSeconds?: number;
  logger: Logger;
}

export interface PodExecOptions {
  timeoutSeconds: number;
  /** Written to the process's stdin; the only way in for a secret, which must stay out of the exec URL. */
  stdin?: string;
}

/**
 * ExecTransport's shape for a pod: a command is an argv, since exec runs no shell, and it may take
 * stdin, since exec carries no environment.
 */
export interface ArgvExecTransport {
  exec(argv: readonly string[], options: PodExecOptions): Promise<ExecResult>;
  close(): Promise<void>;
}

/** Loads the kubeconfig and runs the preflight (credentials, permissions, a Ready pod) before any command. */
export async function connectKubernetes(options: KubernetesTransportOptions): Promise<ArgvExecTransport> {
  const transport = new KubernetesExecTransport(loadKubeConfig(options.context), options);
  await transport.preflight();
  return transport;
}

function timeoutMiddleware(ms: number) {
  return {
    pre: async (context: RequestContext) => {
      context.setSignal(AbortSignal.timeout(ms));
      return context;
    },
    post: async (response: ResponseContext) => response,
  };
}

class KubernetesExecTransport implements ArgvExecTransport {
  private readonly core: CoreV1Api;
  private readonly authorization: AuthorizationV1Api;
  private pod: string | undefined;

  constructor(
    private readonly kube: LoadedKubeConfig,
    private readonly options: KubernetesTransportOptions,
  ) {
    const configuration = createConfiguration({
      baseServer: new ServerConfiguration(kube.server, {}),
      authMethods: { default: kube.config },
      promiseMiddleware: [timeoutMiddleware(options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS)],
    });
    this.core = new CoreV1Api(configuration);
    this.authorization = new AuthorizationV1Api(configuration);
  }

  private get where(): string {
    return `namespace ${this.options.namespace} (context ${this.kube.context})`;
  }

  async preflight(): Promise<void> {
    await this.credentials();
    const missing = await missingAccess(this.authorization, this.options.namespace, this.kube.context);
    if (missing.length > 0) {
      throw new BotError({
        code: 'kubernetes_access_missing',
        userMessage: `The bot's Kubernetes identity may not ${missing.join(', ')} in ${this.where}; grant the Role the README describes.`,
      });
    }
    this.pod = await this.choosePod();
  }

  /**
   * Runs the credentials step alone (an exec plugin such as `aws eks get-token`, a token file) so
   * its failure is named as such rather than as an unreachable API server.
   */
  private async credentials(): Promise<void> {
    const plugin = this.kube.config.getCurrentUser()?.exec?.command;
    const ms = this.options.requestTimeoutMs ?? REQUEST_TIMEOUT_MS;
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.kube.config.applyToHTTPSOptions({}),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no credentials within ${ms} ms`)), ms);
        }),
      ]);
    } catch (error) {
      throw new BotError({
        code: 'kubernetes_credentials',
        userMessage: plugin
          ? `The kubeconfig's credential plugin \`${plugin}\` (context ${this.kube.context}) gave no credentials.`
          : `The kubeconfig's credentials for context ${this.kube.context} could not be loaded.`,
        detail: errorSummary(error),
      });
    } finally {
      clearTimeout(timer);
    }
  }

  private async choosePod(): Promise<string> {
    const { namespace, selector, container } = this.options;
    let pods: unknown[];
    try {
      pods = (await this.core.listNamespacedPod({ namespace, labelSelector: selector })).items;
    } catch (error) {
      throw requestFailure(error, { verb: 'list', resource: 'pods', namespace, context: this.kube.context });
    }
    const choice = choosePod(pods, container);
    if ('name' in choice) {
      this.options.logger.debug({ namespace, pod: choice.name }, 'kubernetes pod chosen');
      return choice.name;
    }
    const seen = choice.passedOver.length > 0 ? ` (passed over: ${choice.passedOver.join(', ')})` : '';
    throw new BotError({
      code: 'kubernetes_no_ready_pod',
      userMessage: `No Running, Ready pod with container ${container} matches ${selector} in ${this.where}${seen}.`,
    });
  }

  /**
   * `timeout` runs inside the container because closing the websocket does not stop the process.
   * A pod that vanished before the exec began is replaced once; after an exec that failed for
   * infrastructure reasons, the next command chooses again.
   */
  async exec(argv: readonly string[], options: PodExecOptions): Promise<ExecResult> {
    const seconds = Math.max(1, Math.floor(options.timeoutSeconds));
    const command = ['timeout', '-k', String(KILL_AFTER_SECONDS), String(seconds), ...argv];
    const run = (pod: string) =>
      execInPod({
        config: this.kube.config,
        context: this.kube.context,
        namespace: this.options.namespace,
        pod,
        container: this.options.container,
        argv: command,
        ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
        deadlineMs: (seconds + (this.options.clientGraceSeconds ?? CLIENT_GRACE_SECONDS)) * 1000,
      });
    this.pod ??= await this.choosePod();
    try {
      const result = await run(this.pod).catch(async (error: unknown) => {
        if (!(error instanceof BotError) || error.code !== 'kubernetes_not_found') throw error;
        this.options.logger.info({ pod: this.pod }, 'kubernetes pod gone; choosing again');
        this.pod = await this.choosePod();
        return run(this.pod);
      });
      return { stdout: result.stdout, stderr: result.stderr, code: result.exitCode, signal: null };
    } catch (error) {
      if (error instanceof BotError && error.retryable) this.pod = undefined;
      throw error;
    }
  }

  async close(): Promise<void> {
    this.pod = undefined;
  }
}
