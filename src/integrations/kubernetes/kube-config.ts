import { KubeConfig } from '@kubernetes/client-node';
import { BotError } from '../../errors.js';
import { errorSummary } from './kube-errors.js';

export interface LoadedKubeConfig {
  config: KubeConfig;
  /** The context's name, or `in-cluster` under a service account: what errors name. */
  context: string;
  server: string;
}

function configError(userMessage: string, detail?: string): BotError {
  return new BotError({ code: 'kubernetes_config', userMessage, ...(detail ? { detail } : {}) });
}

/**
 * The standard loading order: `KUBECONFIG` (a list of files, merged), `~/.kube/config`, then the
 * in-cluster service account, where `context` means nothing and is ignored. Credentials, CA data
 * and exec plugins stay the kubeconfig's business.
 */
export function loadKubeConfig(context?: string): LoadedKubeConfig {
  const config = new KubeConfig();
  try {
    config.loadFromDefault();
  } catch (error) {
    throw configError(
      `The kubeconfig could not be read (KUBECONFIG=${process.env.KUBECONFIG ?? 'unset'}).`,
      errorSummary(error),
    );
  }
  const inCluster = config.getCurrentContext() === 'inClusterContext';
  // loadFromDefault's last resort is an unauthenticated http://localhost:8080, which would only
  // ever fail later as a confusing "connection refused".
  if (
    config.getCurrentContext() === 'loaded-context' &&
    config.getCurrentCluster()?.server === 'http://localhost:8080'
  ) {
    throw configError(
      'No kubeconfig was found: set KUBECONFIG, provide ~/.kube/config, or run the bot in a pod with a service account.',
    );
  }
  if (context && !inCluster) {
    if (!config.getContextObject(context)) {
      const known = config.getContexts().map((c) => c.name);
      throw configError(
        `The kubeconfig has no context ${context} (it has ${known.length ? known.join(', ') : 'none'}).`,
      );
    }
    config.setCurrentContext(context);
  }
  const current = config.getCurrentContext();
  const cluster = config.getCurrentCluster();
  if (!cluster) {
    throw configError(
      current
        ? `The kubeconfig's context ${current} names no cluster it defines.`
        : "The kubeconfig has no current context; name one with the catalog's kubernetes.context.",
    );
  }
  return { config, context: inCluster ? 'in-cluster' : current, server: cluster.server };
}
