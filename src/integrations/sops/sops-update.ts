import { isMap, isScalar, type Pair, type Scalar, type YAMLMap } from 'yaml';
import { BotError } from '../../errors.js';
import { formatLastModified, macAdditionalData, sealString } from './sops-cipher.js';
import { additionalData, macStatus, type OpenedSops, openSops } from './sops-decrypt.js';
import { columnOf, nextLineStart, unsupported } from './sops-document.js';

export interface SopsChange {
  /** Key path under the top level, e.g. ['pipelines', 'mitxonline/tubular_oauth_client', 'secret']. */
  path: string[];
  value: string;
}

export interface SopsUpdateOptions {
  /** As `sops --ignore-mac`: edit a file whose MAC is missing or does not verify. */
  ignoreMac?: boolean;
}

interface Edit {
  start: number;
  end: number;
  text: string;
}

/** The default of stores/yaml/store.go (IndentDefault), for files with no nested mapping to copy. */
const DEFAULT_INDENT = 4;

/**
 * Sets string leaves in a sops YAML file the way `sops set` does, but by splicing the original
 * text: each changed leaf gets a fresh ENC[…] (new IV, type:str), a missing key is appended at the
 * end of its mapping, then `lastmodified` and the re-encrypted MAC are rewritten. Every other
 * byte, unchanged ciphertexts included, stays as it was, so a diff shows only the changed leaves,
 * `mac` and `lastmodified`. When no value actually changes, the text comes back untouched.
 */
export function updateSopsYaml(
  text: string,
  dataKey: Buffer,
  changes: readonly SopsChange[],
  now: Date,
  options: SopsUpdateOptions = {},
): string {
  const mac = macStatus(openSops(text, dataKey), dataKey);
  if (mac !== 'verified' && !options.ignoreMac) {
    throw new BotError({
      code: 'sops_mac_mismatch',
      userMessage:
        mac === 'missing'
          ? 'The sops file has no MAC, so the bot cannot tell whether it was tampered with; nothing was changed.'
          : 'The MAC of the sops file does not verify (it was edited without sops, or with another data key); nothing was changed.',
    });
  }
  let current = text;
  for (const change of changes) current = applyChange(current, dataKey, change);
  if (current === text) return text;
  return stampMac(openSops(current, dataKey), dataKey, now);
}

function applyChange(text: string, dataKey: Buffer, change: SopsChange): string {
  const { path, value } = change;
  if (path.length === 0 || path[0] === 'sops') {
    throw unsupported('The bot only changes data keys of a sops file, never its `sops:` metadata.');
  }
  const opened = openSops(text, dataKey);
  if (!opened.rules.encrypts(path)) {
    throw new BotError({
      code: 'sops_would_be_clear_text',
      userMessage: `The sops file's rules leave \`${path.join('.')}\` unencrypted, so the bot will not write a secret there.`,
    });
  }
  const found = locate(opened, path);
  if ('leaf' in found) {
    // sops's cipher stash reuses the IV of an unchanged value, so its ciphertext stays the same.
    if (opened.plain.get(found.leaf) === value && isSopsTypeStr(found.leaf)) return text;
    const sealed = sealedSource(value, path, dataKey);
    const source = found.flow && value !== '' ? JSON.stringify(sealed) : sealed;
    return splice(text, [scalarEdit(text, found.leaf, source)]);
  }
  return splice(text, [insertion(opened, found.map, path, found.depth, value, dataKey)]);
}

/** Cipher.Encrypt leaves an empty string unencrypted, and go-yaml writes it as `""`. */
function sealedSource(value: string, path: readonly string[], dataKey: Buffer): string {
  return value === '' ? '""' : sealString(value, dataKey, additionalData(path));
}

function isSopsTypeStr(node: Scalar): boolean {
  return typeof node.value === 'string' && (node.value === '' || node.value.endsWith(',type:str]'));
}

type Located = { leaf: Scalar; flow: boolean } | { map: YAMLMap; depth: number };

/** Follows the path through block mappings; stops at the first missing key. */
function locate(opened: OpenedSops, path: readonly string[]): Located {
  let map: YAMLMap = opened.root;
  for (let depth = 0; depth < path.length; depth++) {
    const pair = map.items.find((item: Pair) => isScalar(item.key) && item.key.value === path[depth]);
    if (!pair) return { map, depth };
    const where = path.slice(0, depth + 1).join('.');
    if (depth === path.length - 1) {
      if (isScalar(pair.value)) return { leaf: pair.value, flow: Boolean(map.flow) };
      throw unsupported(`\`${where}\` in the sops file is not a single value.`);
    }
    if (!isMap(pair.value)) throw unsupported(`\`${where}\` in the sops file is not a mapping.`);
    map = pair.value;
  }
  throw unsupported('The change names no key.');
}

/** Replaces a scalar's source; `key:` with no value has an empty range right after the colon. */
function scalarEdit(text: string, node: Scalar, source: string): Edit {
  const [start, end] = node.range ?? [0, 0];
  return { start, end, text: start === end && text[start - 1] === ':' ? ` ${source}` : source };
}

/** `lastmodified` keeps the quotes it had (go-yaml double-quotes it, older sops single-quoted). */
function quotedLike(node: Scalar, value: string): string {
  if (node.type === 'QUOTE_DOUBLE') return JSON.stringify(value);
  return node.type === 'QUOTE_SINGLE' ? `'${value}'` : value;
}

/**
 * TreeBranch.Set appends a missing key at the end of its mapping; the top level ends before
 * `sops:`, which sops always writes last. Nested keys take the file's own indentation step.
 */
function insertion(
  opened: OpenedSops,
  map: YAMLMap,
  path: readonly string[],
  depth: number,
  value: string,
  dataKey: Buffer,
): Edit {
  const where = path.slice(0, depth).join('.') || 'the top level';
  const first = map.items[0]?.key as Scalar | undefined;
  const last = map.items.at(-1);
  if (map.flow || !first?.range || !last) {
    throw unsupported(`The bot can add keys only to a non-empty block mapping, and ${where} is not one.`);
  }
  const { text } = opened;
  const column = columnOf(text, first.range[0]);
  const step = indentStep(opened);
  const sealed = sealedSource(value, path, dataKey);
  const lines = path.slice(depth).map((key, index) => {
    const indent = ' '.repeat(column + index * step);
    return index === path.length - depth - 1
      ? `${indent}${yamlKey(key)}: ${sealed}`
      : `${indent}${yamlKey(key)}:`;
  });
  const snippet = `${lines.join('\n')}\n`;
  if (map === opened.root) {
    const sopsKey = opened.root.items.find((pair) => pair.value === opened.sops)?.key as Scalar;
    const start = text.lastIndexOf('\n', (sopsKey.range?.[0] ?? 0) - 1) + 1;
    return { start, end: start, text: snippet };
  }
  const lastEnd = (last.value as { range?: [number, number, number] } | null)?.range?.[1];
  const start = nextLineStart(text, lastEnd ?? (last.key as Scalar).range?.[1] ?? text.length);
  return {
    start,
    end: start,
    text: start === text.length && !text.endsWith('\n') ? `\n${snippet}` : snippet,
  };
}

/** The indentation step of the first nested block mapping, as sops's emitter used it for the whole file. */
function indentStep(opened: OpenedSops): number {
  for (const pair of opened.root.items) {
    const child = pair.value;
    if (!isMap(child) || child.flow) continue;
    const inner = child.items[0]?.key as Scalar | undefined;
    const outer = pair.key as Scalar;
    if (inner?.range && outer.range) {
      const step = columnOf(opened.text, inner.range[0]) - columnOf(opened.text, outer.range[0]);
      if (step > 0) return step;
    }
  }
  return DEFAULT_INDENT;
}

function yamlKey(key: string): string {
  return /^[A-Za-z0-9_][A-Za-z0-9_./-]*$/.test(key) ? key : JSON.stringify(key);
}

/** EncryptTree in cmd/sops/common: `lastmodified` is now (UTC, whole seconds), the MAC is sealed with it. */
function stampMac(opened: OpenedSops, dataKey: Buffer, now: Date): string {
  const lastModified = formatLastModified(now);
  const mac = sealString(opened.computedMac, dataKey, macAdditionalData(lastModified));
  const pairOf = (name: string) =>
    opened.sops.items.find((pair) => isScalar(pair.key) && pair.key.value === name);
  const lastModifiedPair = pairOf('lastmodified');
  const macPair = pairOf('mac');
  if (!lastModifiedPair || !isScalar(lastModifiedPair.value)) {
    throw unsupported('The `sops:` block has no `lastmodified` value to rewrite.');
  }
  const { text } = opened;
  const edits = [scalarEdit(text, lastModifiedPair.value, quotedLike(lastModifiedPair.value, lastModified))];
  if (macPair && isScalar(macPair.value)) edits.push(scalarEdit(text, macPair.value, mac));
  else {
    const key = lastModifiedPair.key as Scalar;
    const start = nextLineStart(text, lastModifiedPair.value.range?.[1] ?? 0);
    edits.push({
      start,
      end: start,
      text: `${' '.repeat(columnOf(text, key.range?.[0] ?? 0))}mac: ${mac}\n`,
    });
  }
  return splice(text, edits);
}

function splice(text: string, edits: Edit[]): string {
  return [...edits]
    .sort((a, b) => b.start - a.start)
    .reduce((out, edit) => out.slice(0, edit.start) + edit.text + out.slice(edit.end), text);
}
