import type { ManagementTransport } from '../edx-worker/management-transport.js';
import type { ArgvExecTransport } from './kubernetes-transport.js';
import { withStdinVariables } from './stdin-variables.js';

/**
 * `manage.py lms` in an LMS pod: the catalog's command plus the management command's arguments,
 * with any values and the secret on stdin, since the exec URL may be audited and carries no
 * environment.
 */
export function kubernetesManagement(
  transport: ArgvExecTransport,
  target: { context?: string; namespace: string; container: string; command: readonly string[] },
): ManagementTransport {
  const context = target.context ? `context ${target.context}` : 'current context';
  return {
    describe: () => `container ${target.container} in namespace ${target.namespace} (${context})`,
    manage(args, { timeoutSeconds, env = {}, secret }) {
      const argv = [...target.command, ...args, ...(secret ? [secret.flag] : [])];
      const wrapped = withStdinVariables(env, argv, secret?.value);
      return transport.exec(wrapped.argv, {
        timeoutSeconds,
        ...(wrapped.stdin === '' ? {} : { stdin: wrapped.stdin }),
      });
    },
    close: () => transport.close(),
  };
}
