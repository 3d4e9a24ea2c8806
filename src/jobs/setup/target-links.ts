import type { Target } from '../../config/catalog.js';
import { link, type SummaryLink } from '../step-summary.js';

/** Where a person looks at what the run touched: Concourse's web UI, Vault's UI, the LMS. */
export function pipelineLink(target: Target): SummaryLink {
  const { url, team, pipeline } = target.concourse;
  return link(`${url}/teams/${team}/pipelines/${pipeline}`, `${team}/${pipeline}`);
}

export function buildLink(target: Target, buildName: string): SummaryLink {
  const { url, team, pipeline, job } = target.concourse;
  return link(`${url}/teams/${team}/pipelines/${pipeline}/jobs/${job}/builds/${buildName}`, `#${buildName}`);
}

export function lmsLink(target: Target): SummaryLink {
  return link(target.lmsUrl, new URL(target.lmsUrl).host);
}

/**
 * The secret's page in Vault's UI (KV v2 names the path URL-encoded after `kv/`, KV v1 after
 * `show/`), when the catalog names the Vault; with only VAULT_ADDR the path is shown as text.
 */
export function vaultLink(target: Target, path: string): SummaryLink | string {
  const { address, mount, kvVersion } = target.vault;
  const label = `${mount}/${path}`;
  if (!address) return `\`${label}\``;
  const page = kvVersion === 2 ? `kv/${encodeURIComponent(path)}` : `show/${path}`;
  return link(`${address.replace(/\/$/, '')}/ui/vault/secrets/${mount}/${page}`, label);
}
