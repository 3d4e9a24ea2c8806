import { type Catalog, parseCatalog } from '../../src/config/catalog.js';

export interface TestCatalogUrls {
  lmsUrl?: string;
  vaultAddress?: string;
  concourseUrl?: string;
  sshHost?: string;
  sshPort?: number;
  sshUser?: string;
  sshAppUser?: string;
}

export const APPROVER = 'U0APPROVER';
export const SECOND_APPROVER = 'U0APPROVER2';
export const APPROVER_GROUP = 'S0APPROVERS';

export interface TestCatalogOptions {
  ttlMinutes?: number;
  allowSelfApproval?: boolean;
  /** Slack user ids who may cancel and retry any pair's runs. */
  operators?: string[];
}

/** A catalog whose remote endpoints are the tests' emulators; production needs approval. */
export function testCatalog(urls: TestCatalogUrls = {}, options: TestCatalogOptions = {}): Catalog {
  return parseCatalog(testCatalogYaml(urls, options), 'test-catalog');
}

/** The same catalog as a file's text, for bot processes the tests spawn. */
export function testCatalogYaml(urls: TestCatalogUrls = {}, options: TestCatalogOptions = {}): string {
  return `
defaults:
  lmsUrl: ${urls.lmsUrl ?? 'http://127.0.0.1:9'}
  workerUsername: retirement_service_worker
  workerEmailDomain: example.com
  dotApplicationName: retirement
  retirementStates: [PENDING, RETIRING_FORUMS, FORUMS_COMPLETE, RETIRING_ENROLLMENTS, ENROLLMENTS_COMPLETE, RETIRING_NOTES, NOTES_COMPLETE, RETIRING_LMS_MISC, LMS_MISC_COMPLETE, RETIRING_LMS, LMS_COMPLETE, ERRORED, ABORTED, COMPLETE]
  edxWorker: { host: ${urls.sshHost ?? '127.0.0.1'}, port: ${urls.sshPort ?? 22}, user: ${urls.sshUser ?? 'ubuntu'}, appUser: ${urls.sshAppUser ?? 'edxapp'}, commandTimeoutSeconds: 60 }
  vault: { address: ${urls.vaultAddress ?? 'http://127.0.0.1:9'}, mount: secret-concourse, kvVersion: 2, path: "{team}/tubular_oauth_client" }
  concourse: { url: ${urls.concourseUrl ?? 'http://127.0.0.1:9'}, pipeline: misc-cloud-tubular, job: deploy-tubular-world }
  approval:
    required: false
    allowSelfApproval: ${options.allowSelfApproval ?? false}
    ttlMinutes: ${options.ttlMinutes ?? 60}
    approvers: { users: [${APPROVER}], usergroups: [${APPROVER_GROUP}] }
  operators: { users: [${(options.operators ?? []).join(', ')}] }
apps:
  mitxonline:
    concourse: { team: mitxonline }
    environments:
      qa: {}
      production: { approval: { required: true } }
  xpro:
    workerUsername: retirement_worker
    concourse: { team: xpro }
    environments:
      qa: {}
      production: { approval: { required: true } }
`;
}
