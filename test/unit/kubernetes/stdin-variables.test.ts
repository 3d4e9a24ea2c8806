import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { withStdinVariables } from '../../../src/integrations/kubernetes/stdin-variables.js';

describe('withStdinVariables', () => {
  it('keeps the values out of the argv and puts them on stdin, one line each', () => {
    const secret = "s3cr3t with 'quotes' and $dollars";
    const { argv, stdin } = withStdinVariables({ RB_SECRET: secret, RB_USERNAME: 'worker' }, [
      'python',
      'x.py',
    ]);
    expect(argv.join(' ')).not.toContain('s3cr3t');
    expect(argv).toEqual([
      'sh',
      '-c',
      'IFS= read -r RB_SECRET && IFS= read -r RB_USERNAME && export RB_SECRET RB_USERNAME && exec "$@" </dev/null',
      'sh',
      'python',
      'x.py',
    ]);
    expect(stdin).toBe(`${secret}\nworker\n`);
  });

  it('gives the command the exact values, leading spaces and backslashes included, and no stdin', () => {
    const values = { RB_A: '  spaced \\n not a newline ', RB_B: 'second' };
    const { argv, stdin } = withStdinVariables(values, [
      'sh',
      '-c',
      'printf "%s|%s|" "$RB_A" "$RB_B"; cat; echo end',
    ]);
    const [file = '', ...args] = argv;
    const result = spawnSync(file, args, { input: `${stdin}left over\n`, encoding: 'utf8' });
    expect(result.stdout).toBe(`${values.RB_A}|${values.RB_B}|end\n`);
  });

  it('refuses a multi-line value or a name the shell would not take', () => {
    expect(() => withStdinVariables({ RB_SECRET: 'a\nb' }, ['true'])).toThrow(/cannot be passed on stdin/);
    expect(() => withStdinVariables({ 'rb-secret': 'a' }, ['true'])).toThrow(/cannot be passed on stdin/);
  });

  it('passes a secret, read last and not exported, as the last argument after its flag', () => {
    const secret = "s3cr3t with 'quotes' and $dollars";
    const script = 'printf "%s|%s|%s|%s" "$RB_USERNAME" "$RB_SECRET" "$1" "$2"';
    const { argv, stdin } = withStdinVariables(
      { RB_USERNAME: 'worker' },
      ['sh', '-c', script, 'sh', '--client-secret'],
      secret,
    );
    expect(argv.join(' ')).not.toContain('s3cr3t');
    expect(stdin).toBe(`worker\n${secret}\n`);
    const [file = '', ...args] = argv;
    expect(spawnSync(file, args, { input: stdin, encoding: 'utf8' }).stdout).toBe(
      `worker||--client-secret|${secret}`,
    );
  });

  it('leaves a command that needs nothing alone', () => {
    expect(withStdinVariables({}, ['true'])).toEqual({ argv: ['true'], stdin: '' });
  });
});
