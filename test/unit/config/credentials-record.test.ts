import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog } from '../../../src/config/catalog.js';
import { ConfigError } from '../../../src/config/config-error.js';
import { loadEnv } from '../../../src/config/env.js';

const app = `
defaults:
  lmsUrl: https://courses.example.edu
  workerUsername: retirement_service_worker
  workerEmailDomain: example.com
  dotApplicationName: retirement
  retirementStates: [PENDING, ERRORED, ABORTED, COMPLETE]
  edxWorker: { host: worker.example.edu, user: ubuntu, appUser: edxapp, port: 22, commandTimeoutSeconds: 60 }
  vault: { mount: secret-concourse, kvVersion: 2, path: "{team}/tubular_oauth_client" }
  concourse: { url: https://ci.example.edu, team: mitxonline, pipeline: misc-cloud-tubular, job: deploy-tubular-world }
  approval: { required: false, allowSelfApproval: false, ttlMinutes: 60, approvers: { users: [], usergroups: [] } }
  credentials:
    record:
      sops: { repo: mitodl/ol-infrastructure, base: main, file: "src/bridge/secrets/concourse/operations.{env}.yaml", key: "{team}/tubular_oauth_client" }
apps:
  mitxonline:
    environments:
      qa: {}
      ci: { credentials: { record: vault } }
      production:
        credentials:
          record:
            sops: { repo: mitodl/ol-infrastructure, base: main, file: "src/bridge/secrets/concourse/operations.{env}.yaml", key: "{app}/tubular_oauth_client" }
            afterMerge: { concourse: { url: https://cicd.odl.mit.edu, team: infrastructure, pipeline: packer-pulumi-concourse, job: deploy-ol-infrastructure-concourse-application-production } }
`;

function problemsOf(yaml: string): readonly string[] {
  try {
    parseCatalog(yaml, 'test.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the catalog to be rejected');
}

describe('credentials.record in the catalog', () => {
  it('resolves {env}, {team} and {app} per pair, and an environment overrides the defaults', () => {
    const catalog = parseCatalog(app, 'test.yml');
    expect(catalog.get('mitxonline', 'qa')?.credentials.record).toEqual({
      sops: {
        repo: 'mitodl/ol-infrastructure',
        base: 'main',
        file: 'src/bridge/secrets/concourse/operations.qa.yaml',
        key: 'mitxonline/tubular_oauth_client',
      },
    });
    expect(catalog.get('mitxonline', 'ci')?.credentials.record).toBe('vault');
    const production = catalog.get('mitxonline', 'production')?.credentials.record;
    expect(production).toMatchObject({
      sops: { file: 'src/bridge/secrets/concourse/operations.production.yaml' },
      afterMerge: { concourse: { team: 'infrastructure', pipeline: 'packer-pulumi-concourse' } },
    });
  });

  it('is vault when the catalog does not say', () => {
    const catalog = parseCatalog(
      app.replace(/ {2}credentials:\n {4}record:\n {6}sops: .*\n/, ''),
      'test.yml',
    );
    expect(catalog.get('mitxonline', 'qa')?.credentials.record).toBe('vault');
  });

  it('names a bad repository, an unknown field, a path escaping the repository and plain http', () => {
    expect(problemsOf(app.replace('repo: mitodl/ol-infrastructure', 'repo: not a repo'))).toContain(
      'test.yml: defaults.credentials.record.sops.repo: must be a GitHub owner/name',
    );
    expect(problemsOf(app.replace('{app}/tubular_oauth_client"', '../x", extra: 1')).join('\n')).toMatch(
      /production\.credentials\.record\.sops: Unrecognized key: "extra"/,
    );
    expect(problemsOf(app.replace('"{app}/tubular_oauth_client"', '"../tubular"'))).toContain(
      'test.yml: apps.mitxonline.environments.production.credentials.record.sops.key: must not contain ..',
    );
    expect(
      problemsOf(app.replace('url: https://cicd.odl.mit.edu', 'url: http://cicd.odl.mit.edu')),
    ).toContain(
      'test.yml: apps.mitxonline.environments.production.credentials.record.afterMerge.concourse.url: must use https (plain http only for loopback addresses)',
    );
  });

  it('the shipped catalog records every MIT pair through the pull request; production deploys with its job', () => {
    const catalog = loadCatalogFile(resolve(import.meta.dirname, '../../../config/environments.yml'));
    for (const target of catalog.all()) {
      const record = target.credentials.record;
      if (record === 'vault') throw new Error(`${target.app} ${target.env} writes Vault directly`);
      expect(record.sops).toEqual({
        repo: 'mitodl/ol-infrastructure',
        base: 'main',
        file: `src/bridge/secrets/concourse/operations.${target.env}.yaml`,
        key: `${target.concourse.team}/tubular_oauth_client`,
      });
      expect(record.afterMerge?.concourse).toEqual(
        target.env === 'production'
          ? {
              url: 'https://cicd.odl.mit.edu',
              team: 'infrastructure',
              pipeline: 'packer-pulumi-concourse',
              job: 'deploy-ol-infrastructure-concourse-application-production',
            }
          : undefined,
      );
    }
  });
});

describe('GitHub settings in the environment', () => {
  it('defaults to api.github.com and refuses plain http off loopback', () => {
    expect(loadEnv({}).GITHUB_API_URL).toBe('https://api.github.com');
    expect(loadEnv({ GITHUB_API_URL: 'http://127.0.0.1:8080' }).GITHUB_API_URL).toBe('http://127.0.0.1:8080');
    expect(() => loadEnv({ GITHUB_API_URL: 'http://github.example.com/api/v3' })).toThrow(/GITHUB_API_URL/);
  });

  it('needs all three GitHub App settings together', () => {
    expect(() => loadEnv({ GITHUB_APP_ID: '123' })).toThrow(
      /GITHUB_APP_ID: a GitHub App needs GITHUB_APP_ID, GITHUB_APP_INSTALLATION_ID and GITHUB_APP_PRIVATE_KEY_PATH/,
    );
    expect(
      loadEnv({
        GITHUB_APP_ID: '123',
        GITHUB_APP_INSTALLATION_ID: '456',
        GITHUB_APP_PRIVATE_KEY_PATH: '/k.pem',
      }).GITHUB_APP_ID,
    ).toBe('123');
    expect(() =>
      loadEnv({ GITHUB_APP_ID: 'abc', GITHUB_APP_INSTALLATION_ID: '456', GITHUB_APP_PRIVATE_KEY_PATH: '/k' }),
    ).toThrow(/must be a numeric GitHub App id/);
  });
});
