import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import {
  errorSummary,
  httpFailure,
  type KubeRequest,
  requestFailure,
} from '../../../src/integrations/kubernetes/kube-errors.js';
import { execOutcome, parseStatus } from '../../../src/integrations/kubernetes/kube-status.js';

const frame = (status: unknown) => Buffer.from(JSON.stringify(status));

describe('execOutcome (channel 3 of v4/v5 exec)', () => {
  it('reads Success as exit 0', () => {
    expect(execOutcome(frame({ metadata: {}, status: 'Success' }))).toEqual({ exitCode: 0 });
  });

  it('reads the exit code from the ExitCode cause of NonZeroExitCode', () => {
    const status = {
      metadata: {},
      status: 'Failure',
      message:
        'command terminated with non-zero exit code: error executing command [sh -c exit 2], exit code 2',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: '2' }] },
    };
    expect(execOutcome(frame(status))).toEqual({ exitCode: 2 });
  });

  it('reads 124 and 137, which mean timeout stopped the command', () => {
    for (const code of [124, 137]) {
      const status = {
        status: 'Failure',
        reason: 'NonZeroExitCode',
        details: { causes: [{ reason: 'ExitCode', message: String(code) }] },
      };
      expect(execOutcome(frame(status))).toEqual({ exitCode: code });
    }
  });

  it('never turns an InternalError, a code-less failure or garbage into an exit code', () => {
    const internal = {
      status: 'Failure',
      message: 'Internal error occurred: error executing command in container: container not found',
      reason: 'InternalError',
      details: { causes: [{ message: 'container not found' }] },
      code: 500,
    };
    expect(execOutcome(frame(internal))).toEqual({
      failure:
        'InternalError: Internal error occurred: error executing command in container: container not found',
    });
    const noCause = { status: 'Failure', reason: 'NonZeroExitCode', details: { causes: [] } };
    expect(execOutcome(frame(noCause))).toMatchObject({
      failure: expect.stringContaining('NonZeroExitCode'),
    });
    const badCode = {
      status: 'Failure',
      reason: 'NonZeroExitCode',
      details: { causes: [{ reason: 'ExitCode', message: 'x' }] },
    };
    expect(execOutcome(frame(badCode))).toHaveProperty('failure');
    expect(execOutcome(Buffer.from('command terminated'))).toEqual({
      failure: 'the status channel carried no Status',
    });
  });
});

describe('parseStatus', () => {
  it('reads a Status from text, a Buffer or a decoded body, and nothing else', () => {
    const body = { kind: 'Status', status: 'Failure', reason: 'Forbidden', code: 403, message: 'no' };
    expect(parseStatus(JSON.stringify(body))).toMatchObject({ reason: 'Forbidden', code: 403 });
    expect(parseStatus(Buffer.from(JSON.stringify(body)))).toMatchObject({ reason: 'Forbidden' });
    expect(parseStatus(body)).toMatchObject({ message: 'no' });
    expect(parseStatus('<html>bad gateway</html>')).toBeUndefined();
    expect(parseStatus({ code: 'not a number' })).toBeUndefined();
  });
});

const request: KubeRequest = {
  verb: 'create',
  resource: 'pods/exec',
  namespace: 'mitxonline-openedx',
  name: 'lms-1',
  context: 'applications-qa',
};

describe('httpFailure and requestFailure', () => {
  const forbidden = {
    kind: 'Status',
    apiVersion: 'v1',
    metadata: {},
    status: 'Failure',
    message:
      'pods "lms-1" is forbidden: User "bot" cannot create resource "pods/exec" in API group "" in the namespace "mitxonline-openedx"',
    reason: 'Forbidden',
    details: { name: 'lms-1', kind: 'pods' },
    code: 403,
  };

  it('names what was refused and where, keeping the API server message for the logs', () => {
    const error = httpFailure(403, JSON.stringify(forbidden), request);
    expect(error).toMatchObject({ code: 'kubernetes_forbidden', retryable: false });
    expect(error.userMessage).toBe(
      'The bot may not create pods/exec in namespace mitxonline-openedx (context applications-qa).',
    );
    expect(error.detail).toBe(`HTTP 403: ${forbidden.message}`);
  });

  it('maps 401, 404, 429 and 5xx', () => {
    expect(httpFailure(401, undefined, request)).toMatchObject({
      code: 'kubernetes_unauthorized',
      retryable: false,
    });
    expect(httpFailure(404, undefined, request).userMessage).toBe(
      'pods lms-1 was not found in namespace mitxonline-openedx (context applications-qa).',
    );
    expect(httpFailure(429, undefined, request)).toMatchObject({
      code: 'kubernetes_unavailable',
      retryable: true,
    });
    expect(httpFailure(503, undefined, request)).toMatchObject({
      code: 'kubernetes_unavailable',
      retryable: true,
    });
    expect(httpFailure(400, undefined, request)).toMatchObject({
      code: 'kubernetes_request_failed',
      retryable: false,
    });
  });

  it('reads the client library ApiException, and treats connection failures as retryable', () => {
    expect(requestFailure(new ApiException(403, 'Forbidden', forbidden, {}), request).code).toBe(
      'kubernetes_forbidden',
    );
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:443'), { code: 'ECONNREFUSED' });
    expect(requestFailure(refused, request)).toMatchObject({
      code: 'kubernetes_unreachable',
      retryable: true,
    });
    const aborted = Object.assign(new Error('The user aborted a request.'), { name: 'AbortError' });
    expect(requestFailure(aborted, request).userMessage).toContain('did not answer in time');
    const untrusted = Object.assign(new Error('self-signed certificate'), {
      code: 'DEPTH_ZERO_SELF_SIGNED_CERT',
    });
    expect(requestFailure(untrusted, request)).toMatchObject({
      code: 'kubernetes_tls_untrusted',
      retryable: false,
    });
  });

  it('keeps the text a SyntaxError quotes, a credential plugin token perhaps, out of the detail', () => {
    let thrown: unknown;
    try {
      JSON.parse('k8s-aws-v1.aHR0cHM6Ly9zdHMuYW1hem9uYXdzLmNvbS8');
    } catch (error) {
      thrown = error;
    }
    expect(errorSummary(thrown)).toBe('SyntaxError');
    expect(errorSummary(new Error('first line\nsecond line'))).toBe('Error: first line');
  });
});
