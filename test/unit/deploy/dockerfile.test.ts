import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * `docker build` cannot run in CI here, so what makes it fail is checked instead: every path the
 * Dockerfile copies from the build context exists and is not excluded by .dockerignore, the build
 * writes the file the entry point runs, and the image is on a supported Node LTS.
 */
const ROOT = resolve(import.meta.dirname, '../../..');
const dockerfile = readFileSync(join(ROOT, 'Dockerfile'), 'utf8');
const instructions = dockerfile
  .replace(/\\\n/g, ' ')
  .split('\n')
  .map((line) => line.trim())
  .filter((line) => line && !line.startsWith('#'));

/** .dockerignore patterns (Go filepath.Match plus `**`), the last matching one deciding, `!` re-including. */
function ignored(path: string): boolean {
  const rules = readFileSync(join(ROOT, '.dockerignore'), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => ({
      exclude: !line.startsWith('!'),
      pattern: line.replace(/^!/, '').replace(/^\/|\/$/g, ''),
    }));
  const parts = path.split('/');
  const candidates = parts.map((_, i) => parts.slice(0, i + 1).join('/'));
  let excluded = false;
  for (const rule of rules) {
    const glob = rule.pattern
      .split('**')
      .map((piece) =>
        piece
          .replace(/[.+^${}()|[\]\\]/g, '\\$&')
          .replace(/\*/g, '[^/]*')
          .replace(/\?/g, '[^/]'),
      )
      .join('.*');
    const regex = new RegExp(`^${glob}$`);
    if (candidates.some((candidate) => regex.test(candidate))) excluded = rule.exclude;
  }
  return excluded;
}

function contextSources(): string[] {
  return instructions
    .filter((line) => /^(COPY|ADD)\s/i.test(line) && !/--from=/.test(line))
    .flatMap((line) => {
      const args = line
        .split(/\s+/)
        .slice(1)
        .filter((arg) => !arg.startsWith('--'));
      return args.slice(0, -1).map((source) => source.replace(/^\.\//, '').replace(/\/$/, ''));
    });
}

describe('the Dockerfile', () => {
  it('copies only paths that exist and that .dockerignore lets into the build context', () => {
    const sources = contextSources();
    expect(sources).toEqual(expect.arrayContaining(['package.json', 'src', 'emulators', 'config']));
    expect(sources.filter((source) => !existsSync(join(ROOT, source)))).toEqual([]);
    expect(sources.filter(ignored)).toEqual([]);
  });

  it('knows what .dockerignore excludes, so the check above can fail', () => {
    expect(ignored('node_modules')).toBe(true);
    expect(ignored('test/unit')).toBe(true);
    expect(ignored('npm-debug.log')).toBe(true);
    expect(ignored('src')).toBe(false);
  });

  it('runs the file that `npm run build` writes for src/main.ts, which package.json names too', () => {
    const build = JSON.parse(readFileSync(join(ROOT, 'tsconfig.build.json'), 'utf8')) as {
      compilerOptions: { outDir: string; rootDir: string };
      include: string[];
    };
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: { build: string };
      bin: Record<string, string>;
    };
    expect(pkg.scripts.build).toBe('tsc -p tsconfig.build.json');
    expect(build.include).toContain('src');
    // rootDir "." keeps src/ in the output path: src/main.ts is emitted as <outDir>/src/main.js.
    expect(build.compilerOptions.rootDir).toBe('.');
    const emitted = `${build.compilerOptions.outDir}/src/main.js`;
    const entry = instructions.find((line) => line.startsWith('ENTRYPOINT'));
    expect(entry).toBe(`ENTRYPOINT ["node", "${emitted}"]`);
    expect(pkg.bin['retirement-bot']).toBe(emitted);
    expect(readFileSync(join(ROOT, 'src/main.ts'), 'utf8').startsWith('#!/usr/bin/env node')).toBe(true);
  });

  it('builds and runs on a supported Node LTS (22 or 24), the same in both stages', () => {
    const images = instructions.filter((line) => line.startsWith('FROM')).map((line) => line.split(/\s+/)[1]);
    expect(images.length).toBeGreaterThanOrEqual(2);
    expect(new Set(images).size).toBe(1);
    expect(images[0]).toMatch(/^node:(22|24)[-.]/);
  });

  it('probes health on PORT or, for a worker, WORKER_HEALTH_PORT', () => {
    const probe = instructions.find((line) => line.startsWith('HEALTHCHECK')) ?? '';
    expect(probe).toContain('process.env.PORT');
    expect(probe).toContain('process.env.WORKER_HEALTH_PORT');
    expect(instructions).toContain('ENV PORT=3000 WORKER_HEALTH_PORT=3001');
  });
});
