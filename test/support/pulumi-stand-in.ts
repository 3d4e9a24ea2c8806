import type { ConcourseEmulator } from '../../emulators/concourse/concourse-emulator.js';
import type { GitHubEmulator } from '../../emulators/github/github-emulator.js';
import type { VaultEmulator } from '../../emulators/vault/vault-emulator.js';
import { decryptSopsYaml } from '../../src/integrations/sops/sops-decrypt.js';
import { operationsFile, SOPS_REPO } from './sops-world.js';

/** The production stack's job in packer-pulumi-concourse (domain.md D.4). */
export const PULUMI_PIPELINE = 'packer-pulumi-concourse';
export const pulumiJob = (env: string) => `deploy-ol-infrastructure-concourse-application-${env}`;

/**
 * What ol-infrastructure's concourse Pulumi project does with operations.<env>.yaml: decrypt it
 * with sops and write every `pipelines:` key to the KV-v2 secret `secret-concourse/<key>`
 * (applications/concourse/__main__.py). Non-production stacks deploy when a merge changes the
 * file; production only when its job in `packer-pulumi-concourse` runs (and succeeds) in
 * `concourse`, as the runbook has someone trigger it.
 */
export class PulumiStandIn {
  private readonly handledBuilds = new Set<number>();
  private timer: NodeJS.Timeout | undefined;
  /** Every deployment, as the env it deployed. */
  readonly deployments: string[] = [];

  constructor(
    private readonly options: {
      github: GitHubEmulator;
      vault: VaultEmulator;
      dataKey: Buffer;
      /** Environments that deploy on merge; the others wait for their job. */
      onMerge: readonly string[];
      concourse?: ConcourseEmulator;
    },
  ) {
    options.github.onMerge(async ({ repo }) => {
      if (repo !== SOPS_REPO) return;
      for (const env of options.onMerge) this.deploy(env);
    });
    if (options.concourse) this.timer = setInterval(() => this.watchJobs(), 20);
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** `pulumi up` for the env's stack: Vault gets what the base branch's file holds. */
  deploy(env: string): void {
    const text = this.options.github.readFile(SOPS_REPO, 'main', operationsFile(env));
    if (text === undefined) throw new Error(`no operations file for ${env}`);
    const { values } = decryptSopsYaml(text, this.options.dataKey);
    const pipelines = (values.pipelines ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(pipelines)) {
      const data =
        typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : { value };
      this.options.vault.writeAsOther('secret-concourse', key, data);
    }
    this.deployments.push(env);
  }

  private watchJobs(): void {
    for (const build of this.options.concourse?.builds ?? []) {
      if (build.pipeline_name !== PULUMI_PIPELINE || this.handledBuilds.has(build.id)) continue;
      if (build.status !== 'succeeded') continue;
      this.handledBuilds.add(build.id);
      this.deploy(build.job_name.replace('deploy-ol-infrastructure-concourse-application-', ''));
    }
  }
}
