import {
  changedLines,
  describeCreation,
  diffConfig,
} from '../../integrations/concourse/pipeline-config-diff.js';
import { buildTubularPipeline } from '../../integrations/concourse/tubular-pipeline.js';
import type { SetupStep } from './setup-step.js';
import { pipelineLink } from './target-links.js';

/**
 * Sets the tubular pipeline like `fly set-pipeline`: read the current config and its version,
 * diff, and save only on a change, sending the version so a concurrent edit is refused.
 */
export const concourseSetStep: SetupStep = {
  id: 'concourse-set',
  title: 'Concourse: set the tubular pipeline',
  phase: 'concourse',
  async apply({ target }, services) {
    const concourse = services.concourse(target);
    const { pipeline } = target.concourse;
    const desired = buildTubularPipeline();
    const current = await concourse.getPipelineConfig(pipeline);
    const diff = diffConfig(current?.config, desired);
    const where = pipelineLink(target);
    if (current && !diff.changed)
      return { summary: [where, ' already matches the generated definition.'], changed: false };
    const result = await concourse.setPipeline(pipeline, desired, current?.version);
    const warnings = result.warnings.length > 0 ? ` Concourse warned: ${result.warnings.join('; ')}` : '';
    return {
      summary: [`${result.created ? 'Created' : 'Updated'} `, where, `.${warnings}`],
      details: result.created ? describeCreation(desired, diff.text) : changedLines(diff.text),
      changed: true,
    };
  },
  /**
   * An update shows the lines that change; a creation only its size, since every line of it is
   * new and it is the generated pipeline the README describes.
   */
  async preview({ target }, services) {
    const concourse = services.concourse(target);
    const { pipeline, team } = target.concourse;
    const desired = buildTubularPipeline();
    const current = await concourse.getPipelineConfig(pipeline);
    const diff = diffConfig(current?.config, desired);
    if (current && !diff.changed)
      return { changes: false, summary: `\`${team}/${pipeline}\` is up to date.` };
    return {
      changes: true,
      summary: current
        ? `Would update \`${team}/${pipeline}\`.`
        : `Would create \`${team}/${pipeline}\` (paused).`,
      details: current ? changedLines(diff.text) : describeCreation(desired, diff.text),
    };
  },
};
