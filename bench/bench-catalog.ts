import { parseCatalog } from '../src/config/catalog.js';

/** One app with `pairs` environments, so every benchmarked setup takes its own pair's lock. */
export function benchCatalog(pairs: number) {
  const envs = Array.from({ length: pairs }, (_, i) => `      e${i}: {}`).join('\n');
  return parseCatalog(`
defaults:
  lmsUrl: http://127.0.0.1:9
  workerUsername: retirement_service_worker
  workerEmailDomain: example.com
  dotApplicationName: retirement
  retirementStates: [PENDING, ERRORED, ABORTED, COMPLETE]
  edxWorker: { host: 127.0.0.1, port: 22, user: ubuntu, appUser: edxapp, commandTimeoutSeconds: 60 }
  vault: { mount: secret-concourse, kvVersion: 2, path: "{team}/tubular_oauth_client" }
  concourse: { url: http://127.0.0.1:9, team: bench, pipeline: misc-cloud-tubular, job: deploy-tubular-world }
  approval: { required: false, allowSelfApproval: false, ttlMinutes: 60, approvers: { users: [], usergroups: [] } }
apps:
  bench:
    environments:
${envs}
`);
}
