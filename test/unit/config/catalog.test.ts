import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCatalogFile, parseCatalog, transportTarget, workerEmail } from '../../../src/config/catalog.js';
import { ConfigError } from '../../../src/config/config-error.js';

const shipped = resolve(import.meta.dirname, '../../../config/environments.yml');

function problemsOf(yaml: string): readonly string[] {
  try {
    parseCatalog(yaml, 'test.yml');
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  throw new Error('expected the catalog to be rejected');
}

const minimalApp = `
apps:
  mitxonline:
    lmsUrl: https://courses.example.edu/
    workerUsername: retirement_service_worker
    workerEmailDomain: example.com
    dotApplicationName: retirement
    retirementStates: [PENDING, RETIRING_LMS, LMS_COMPLETE, ERRORED, ABORTED, COMPLETE]
    edxWorker: { host: worker.example.edu, user: ubuntu, appUser: edxapp, port: 22, commandTimeoutSeconds: 60 }
    vault: { mount: secret-concourse, kvVersion: 2, path: "{team}/tubular_oauth_client" }
    concourse: { url: https://ci.example.edu, team: mitxonline, pipeline: misc-cloud-tubular, job: deploy-tubular-world }
    approval: { required: false, allowSelfApproval: false, ttlMinutes: 60, approvers: { users: [], usergroups: [] } }
    environments:
      qa: {}
`;

describe('the shipped catalog', () => {
  const catalog = loadCatalogFile(shipped);

  it('configures every app in ci, qa and production', () => {
    expect(catalog.apps()).toEqual(['mitxonline', 'mitx', 'mitx-staging', 'xpro']);
    for (const app of catalog.apps()) expect(catalog.environments(app)).toEqual(['ci', 'qa', 'production']);
  });

  it('carries the real hosts, teams, Vault paths and users from the domain notes', () => {
    const qa = catalog.get('mitxonline', 'qa');
    expect(qa?.lmsUrl).toBe('https://courses.rc.learn.mit.edu');
    expect(qa?.concourse).toEqual({
      url: 'https://cicd-qa.odl.mit.edu',
      team: 'mitxonline',
      pipeline: 'misc-cloud-tubular',
      job: 'deploy-tubular-world',
    });
    expect(qa?.vault).toEqual({
      mount: 'secret-concourse',
      kvVersion: 2,
      path: 'mitxonline/tubular_oauth_client',
    });
    expect(qa?.workerUsername).toBe('retirement_service_worker');
    expect(qa && workerEmail(qa)).toBe('retirement_service_worker@example.com');
    expect(qa?.retirementStates).toHaveLength(16);
    expect(catalog.get('xpro', 'production')?.workerUsername).toBe('retirement_worker');
    expect(catalog.get('xpro', 'production')?.concourse.url).toBe('https://cicd.odl.mit.edu');
    expect(catalog.get('mitx', 'qa')?.retirementStates).toEqual([
      'PENDING',
      'ERRORED',
      'ABORTED',
      'COMPLETE',
    ]);
  });

  it('runs every LMS command by Kubernetes exec, in the cluster, namespace and container MIT uses', () => {
    const clusters: Record<string, string> = {
      mitxonline: 'applications',
      xpro: 'applications',
      mitx: 'residential',
      'mitx-staging': 'residential',
    };
    for (const target of catalog.all()) {
      expect(target).toMatchObject({
        transport: 'kubernetes',
        kubernetes: {
          context: `${clusters[target.app]}-${target.env}`,
          namespace: `${target.app}-openedx`,
          selector: 'ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp',
          container: 'lms-edxapp-app',
          command: ['python', 'manage.py', 'lms'],
          commandTimeoutSeconds: 600,
        },
      });
    }
    expect(catalog.warnings).toEqual([]);
    const qa = catalog.get('mitxonline', 'qa');
    expect(qa && transportTarget(qa)).toBe('kubernetes applications-qa/mitxonline-openedx');
  });

  it('requires approval in production only', () => {
    for (const target of catalog.all()) {
      expect(target.approval.required).toBe(target.env === 'production');
    }
  });
});

describe('catalog validation', () => {
  it('accepts a complete minimal catalog and trims the trailing slash of URLs', () => {
    const catalog = parseCatalog(minimalApp);
    expect(catalog.get('mitxonline', 'qa')?.lmsUrl).toBe('https://courses.example.edu');
  });

  it('names every problem at once, with its path', () => {
    const problems = problemsOf(`
bogus: 1
defaults:
  vault: { kvVersion: 3 }
apps:
  mitx:
    retirementStates: [PENDING, RETIRING_FORUMS, ERRORED, ABORTED, COMPLETE]
    environments:
      qa: { lmsUrl: courses.example.edu }
`);
    expect(problems).toEqual(
      expect.arrayContaining([
        'test.yml: bogus: unknown key (use an x- prefix for anchors)',
        'test.yml: defaults.vault.kvVersion: must be 1 or 2',
        'test.yml: apps.mitx.retirementStates: RETIRING_FORUMS needs a matching FORUMS_COMPLETE state',
        'test.yml: apps.mitx.environments.qa.lmsUrl: must be an http(s) URL with a scheme',
      ]),
    );
  });

  it('reports missing fields of a resolved environment', () => {
    const problems = problemsOf('apps:\n  xpro:\n    environments:\n      qa: {}\n');
    expect(problems).toContain('test.yml: apps.xpro.environments.qa.lmsUrl: is required');
    expect(problems).toContain('test.yml: apps.xpro.environments.qa.concourse: is required');
  });

  it('rejects a required approval without approvers and unknown keys in a layer', () => {
    const problems = problemsOf(
      minimalApp
        .replace('approval: { required: false', 'approval: { required: true')
        .replace('qa: {}', 'qa: { lmsURL: x }'),
    );
    expect(problems).toContain('test.yml: apps.mitxonline.environments.qa: Unrecognized key: "lmsURL"');
    expect(
      problemsOf(minimalApp.replace('approval: { required: false', 'approval: { required: true')),
    ).toEqual([
      'test.yml: apps.mitxonline.environments.qa.approval.approvers: approval is required but no approvers are set',
    ]);
  });

  it('rejects YAML that does not parse', () => {
    expect(problemsOf('apps: [')[0]).toMatch(/^test.yml: not valid YAML/);
  });
});

describe('the transport', () => {
  const kubernetesApp = minimalApp
    .replace(/ {4}edxWorker: .*\n/, '')
    .replace(
      '    environments:',
      '    transport: kubernetes\n    kubernetes: { namespace: "{app}-openedx", selector: app=lms, container: lms }\n    environments:',
    );

  it('is SSH by default, Kubernetes when the catalog says so, with {app} in the namespace and defaults', () => {
    expect(parseCatalog(minimalApp).get('mitxonline', 'qa')?.transport).toBe('ssh');
    const target = parseCatalog(kubernetesApp).get('mitxonline', 'qa');
    expect(target).toMatchObject({
      transport: 'kubernetes',
      kubernetes: {
        namespace: 'mitxonline-openedx',
        command: ['python', 'manage.py', 'lms'],
        commandTimeoutSeconds: 600,
      },
    });
    expect(target && transportTarget(target)).toBe('kubernetes (current context)/mitxonline-openedx');
  });

  it("ignores the other transport's block with a warning, and requires its own", () => {
    const both = parseCatalog(
      kubernetesApp.replace('      qa: {}', '      qa: { edxWorker: { port: 2222 } }'),
    );
    expect(both.warnings).toEqual([
      'catalog: apps.mitxonline.environments.qa: the edxWorker block is ignored (transport kubernetes)',
    ]);
    expect(both.get('mitxonline', 'qa')).not.toHaveProperty('edxWorker');
    expect(problemsOf(minimalApp.replace(/ {4}edxWorker: .*\n/, ''))).toEqual([
      'test.yml: apps.mitxonline.environments.qa.edxWorker: is required',
    ]);
    expect(problemsOf(kubernetesApp.replace('"{app}-openedx"', '"{env}"'))).toEqual(
      expect.arrayContaining([expect.stringContaining('kubernetes.namespace: must be a namespace name')]),
    );
    expect(
      problemsOf(minimalApp.replace('    environments:', '    transport: ftp\n    environments:')),
    ).toEqual(expect.arrayContaining([expect.stringContaining('apps.mitxonline.transport')]));
  });
});

describe('catalog hardening', () => {
  it('refuses plain http for the LMS, Vault and Concourse, except on loopback addresses', () => {
    const problems = problemsOf(
      minimalApp
        .replace('https://courses.example.edu/', 'http://courses.example.edu/')
        .replace('https://ci.example.edu', 'http://ci.example.edu')
        .replace('vault: { mount', 'vault: { address: "http://vault.example.edu:8200", mount'),
    );
    expect(problems).toEqual([
      'test.yml: apps.mitxonline.lmsUrl: must use https (plain http only for loopback addresses)',
      'test.yml: apps.mitxonline.vault.address: must use https (plain http only for loopback addresses)',
      'test.yml: apps.mitxonline.concourse.url: must use https (plain http only for loopback addresses)',
    ]);
    for (const loopback of ['http://127.0.0.1:8080', 'http://localhost:8080', 'http://[::1]:8080']) {
      const catalog = parseCatalog(minimalApp.replace('https://courses.example.edu/', loopback), 'test.yml');
      expect(catalog.get('mitxonline', 'qa')?.lmsUrl).toBe(loopback);
    }
  });

  it('reports an app or environment named __proto__ instead of dropping it', () => {
    expect(problemsOf(minimalApp.replace('      qa: {}', '      qa: {}\n      __proto__: {}'))).toContain(
      'test.yml: apps.mitxonline.environments.__proto__: is not a valid name (lowercase letters, digits and dashes)',
    );
    expect(
      problemsOf(minimalApp.replace('apps:\n', 'apps:\n  __proto__: { environments: { qa: {} } }\n')),
    ).toContain('test.yml: apps.__proto__: is not a valid name (lowercase letters, digits and dashes)');
  });

  it('merges operators like the other settings, empty by default', () => {
    const catalog = parseCatalog(
      `defaults:\n  operators: { users: [U0OPS] }\n${minimalApp.replace('      qa: {}', '      qa: { operators: { usergroups: [S0OPS] } }')}`,
      'test.yml',
    );
    expect(catalog.get('mitxonline', 'qa')?.operators).toEqual({ users: ['U0OPS'], usergroups: ['S0OPS'] });
    expect(parseCatalog(minimalApp, 'test.yml').get('mitxonline', 'qa')?.operators).toEqual({
      users: [],
      usergroups: [],
    });
  });
});
