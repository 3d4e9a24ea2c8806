import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The layout is the architecture: imports run one way,
 * main → app → {slack, cli, sandbox} → jobs → integrations → {config, logging, errors}.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const SRC = join(ROOT, 'src');

const RANK: Record<string, number> = {
  'main.ts': 6,
  app: 5,
  slack: 4,
  cli: 4,
  sandbox: 4,
  jobs: 3,
  integrations: 2,
  config: 1,
  logging: 1,
  'errors.ts': 0,
};

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

function room(file: string): string {
  return relative(SRC, file).split('/')[0] as string;
}

function relativeImports(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from|import\(?)\s*'(\.{1,2}\/[^']+)'/g)].map(
    (m) => m[1] as string,
  );
  return specifiers.map((specifier) => resolve(dirname(file), specifier).replace(/\.js$/, '.ts'));
}

const files = sourceFiles(SRC);

describe('the layout', () => {
  it('has every source file in a known room', () => {
    expect(files.map(room).filter((name) => !(name in RANK))).toEqual([]);
  });

  it('imports only downwards (or within a room), and surfaces never import each other', () => {
    const upwards = files.flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(`${SRC}/`))
        .filter((target) => room(target) !== room(file))
        .filter((target) => (RANK[room(target)] ?? 99) >= (RANK[room(file)] ?? 0))
        .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`),
    );
    expect(upwards).toEqual([]);
  });

  it('reaches the emulators only from the sandbox', () => {
    const reaching = files.flatMap((file) =>
      relativeImports(file)
        .filter((target) => target.startsWith(join(ROOT, 'emulators')) && room(file) !== 'sandbox')
        .map((target) => `${relative(ROOT, file)} → ${relative(ROOT, target)}`),
    );
    expect(reaching).toEqual([]);
  });

  it('loads the sandbox only lazily, from the composition root', () => {
    const staticSandboxImports = files.flatMap((file) =>
      [...readFileSync(file, 'utf8').matchAll(/from\s*'(\.{1,2}\/[^']*sandbox\/[^']*)'/g)]
        .filter(() => room(file) !== 'sandbox')
        .map((m) => `${relative(ROOT, file)} → ${m[1]}`),
    );
    expect(staticSandboxImports).toEqual([]);
  });

  it('keeps every product file under 300 lines', () => {
    const long = files
      .map((file) => ({ file: relative(ROOT, file), lines: readFileSync(file, 'utf8').split('\n').length }))
      .filter(({ lines }) => lines > 300);
    expect(long).toEqual([]);
  });
});
