import { describe, expect, it } from 'vitest';
import { choosePod } from '../../../src/integrations/kubernetes/pod-selection.js';

const APP = 'lms-edxapp-app';

/** A pod as the API server lists it, with only the fields the choice reads made to vary. */
function pod(
  name: string,
  options: {
    created?: string;
    phase?: string;
    ready?: boolean;
    deleting?: boolean;
    owner?: string;
    containers?: string[];
  } = {},
): unknown {
  return {
    metadata: {
      name,
      creationTimestamp: options.created ?? '2025-03-01T00:00:00Z',
      ...(options.deleting ? { deletionTimestamp: '2025-03-02T00:00:00Z' } : {}),
      ownerReferences: [{ apiVersion: 'apps/v1', kind: options.owner ?? 'ReplicaSet', name: 'rs', uid: 'u' }],
    },
    spec: { containers: (options.containers ?? [APP, 'vector']).map((c) => ({ name: c, image: 'x' })) },
    status: {
      phase: options.phase ?? 'Running',
      conditions: [
        { type: 'Initialized', status: 'True' },
        { type: 'Ready', status: options.ready === false ? 'False' : 'True' },
      ],
    },
  };
}

describe('choosePod', () => {
  it('takes the newest Running, Ready pod', () => {
    const pods = [
      pod('lms-a', { created: '2025-03-01T00:00:00Z' }),
      pod('lms-c', { created: '2025-03-03T00:00:00Z' }),
      pod('lms-b', { created: '2025-03-02T00:00:00Z' }),
    ];
    expect(choosePod(pods, APP)).toEqual({ name: 'lms-c' });
  });

  it('breaks ties by name, so the same pods give the same choice in any order', () => {
    expect(choosePod([pod('lms-b'), pod('lms-a')], APP)).toEqual({ name: 'lms-a' });
    expect(choosePod([pod('lms-a'), pod('lms-b')], APP)).toEqual({ name: 'lms-a' });
  });

  it('also reads the client library deserialised pods, whose timestamps are Dates', () => {
    const older = pod('lms-old') as { metadata: { creationTimestamp: unknown } };
    older.metadata.creationTimestamp = new Date('2025-01-01T00:00:00Z');
    const newer = pod('lms-new') as { metadata: { creationTimestamp: unknown } };
    newer.metadata.creationTimestamp = new Date('2025-06-01T00:00:00Z');
    expect(choosePod([older, newer], APP)).toEqual({ name: 'lms-new' });
  });

  it('passes over Completed Job pods, running Job pods, terminating, unready, pending and foreign pods, saying why', () => {
    const pods = [
      pod('lms-edxapp-app-pre-deploy-1', { phase: 'Succeeded', owner: 'Job' }),
      pod('lms-edxapp-app-pre-deploy-2', { owner: 'Job' }),
      pod('lms-gone', { deleting: true }),
      pod('lms-warming', { ready: false }),
      pod('lms-pending', { phase: 'Pending' }),
      pod('lms-failed', { phase: 'Failed' }),
      pod('nginx', { containers: ['nginx'] }),
      { metadata: { labels: {} } },
    ];
    expect(choosePod(pods, APP)).toEqual({
      passedOver: [
        'lms-edxapp-app-pre-deploy-1 (Completed)',
        'lms-edxapp-app-pre-deploy-2 (a Job pod)',
        'lms-gone (terminating)',
        'lms-warming (not Ready)',
        'lms-pending (Pending)',
        'lms-failed (Failed)',
        `nginx (no container ${APP})`,
        'a pod the API described unreadably',
      ],
    });
  });

  it('prefers an older ready pod to a newer one still starting', () => {
    const pods = [pod('lms-old', { created: '2025-01-01T00:00:00Z' }), pod('lms-new', { ready: false })];
    expect(choosePod(pods, APP)).toEqual({ name: 'lms-old' });
  });

  it('has nothing to say about an empty list', () => {
    expect(choosePod([], APP)).toEqual({ passedOver: [] });
  });
});
