import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  buildTubularPipeline,
  validatePipeline,
} from '../../../src/integrations/concourse/tubular-pipeline.js';

/** domain.md D.2: the definition tubular.py prints, transcribed field by field. */
const golden = JSON.parse(
  readFileSync(resolve(import.meta.dirname, '../../fixtures/tubular-pipeline.json'), 'utf8'),
);

describe('buildTubularPipeline', () => {
  it('produces exactly the definition tubular.py generates', () => {
    expect(buildTubularPipeline()).toStrictEqual(golden);
  });

  it('references the team secret through ((tubular_oauth_client.*)) in both tasks that call the LMS', () => {
    const tasks = buildTubularPipeline().jobs[0]?.plan.filter((s) => 'task' in s && s.config.params) ?? [];
    expect(tasks.map((t) => ('task' in t ? t.task : ''))).toEqual([
      'tubular-generate-retirees-task',
      'tubular-retire-users-task',
    ]);
    for (const task of tasks) {
      expect('task' in task && task.config.params).toEqual({
        TUBULAR_OAUTH_CLIENT_ID: '((tubular_oauth_client.id))',
        TUBULAR_OAUTH_CLIENT_SECRET: '((tubular_oauth_client.secret))',
        TUBULAR_LMS_HOST: '((tubular_oauth_client.host))',
      });
    }
  });

  it('rejects bad names, unknown resources and duplicates', () => {
    const badName = structuredClone(golden);
    badName.jobs[0].name = 'Deploy Tubular';
    expect(() => validatePipeline(badName)).toThrowError('jobs.0.name must start with a lowercase letter');
    const unknown = structuredClone(golden);
    unknown.jobs[0].plan[1].get = 'no-such-resource';
    expect(() => validatePipeline(unknown)).toThrowError('gets unknown resource no-such-resource');
    const twice = structuredClone(golden);
    twice.resources.push({ ...twice.resources[0] });
    expect(() => validatePipeline(twice)).toThrowError('resource tubular-pipeline-config is defined twice');
  });
});
