import { describe, expect, it } from 'vitest';
import { parseLabelSelector } from '../../../emulators/kubernetes/label-selector.js';

const web = { 'ol.mit.edu/application': 'lms-edxapp', 'ol.mit.edu/component': 'webapp' };
const job = { 'ol.mit.edu/application': 'lms-edxapp', 'job-name': 'lms-edxapp-app-pre-deploy' };

function matches(selector: string, labels: Record<string, string>): boolean | undefined {
  return parseLabelSelector(selector)?.(labels);
}

describe("the emulator's label selectors", () => {
  it('matches equality requirements, all of them', () => {
    expect(matches('ol.mit.edu/application=lms-edxapp,ol.mit.edu/component=webapp', web)).toBe(true);
    expect(matches('ol.mit.edu/application==lms-edxapp,ol.mit.edu/component=webapp', job)).toBe(false);
    expect(matches('ol.mit.edu/component!=webapp', job)).toBe(true);
  });

  it('matches existence and sets', () => {
    expect(matches('job-name', job)).toBe(true);
    expect(matches('!job-name', web)).toBe(true);
    expect(matches('ol.mit.edu/component in (webapp, worker)', web)).toBe(true);
    expect(matches('ol.mit.edu/component notin (webapp)', job)).toBe(true);
  });

  it('matches everything when empty, and refuses what the API server would answer with 400', () => {
    expect(matches('', job)).toBe(true);
    expect(parseLabelSelector('a=b=c')).toBeUndefined();
    expect(parseLabelSelector('in (x)')).toBeUndefined();
  });
});
