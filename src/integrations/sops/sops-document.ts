import {
  type Document,
  isAlias,
  isMap,
  isScalar,
  isSeq,
  type Pair,
  Parser,
  parseAllDocuments,
  type Scalar,
  type YAMLMap,
} from 'yaml';
import { BotError } from '../../errors.js';
import { parseMetadata, type SopsMetadata } from './sops-metadata.js';

/** A scalar of the data tree, with the key path sops gives it (list positions add nothing). */
export interface SopsLeaf {
  path: string[];
  node: Scalar;
}

export interface SopsKey {
  path: string[];
  offset: number;
}

/**
 * A sops YAML file as a yaml Document, whose node ranges point into the original text so that
 * edits can be spliced in without re-serialising anything else.
 */
export interface SopsDocument {
  text: string;
  document: Document.Parsed;
  root: YAMLMap;
  sops: YAMLMap;
  metadata: SopsMetadata;
  /** Data leaves in sops's walk order (Tree.walkBranch): document order, `sops` left out. */
  leaves: SopsLeaf[];
  /** Every mapping key of the data, in document order, to place comments by. */
  keys: SopsKey[];
}

export function unsupported(userMessage: string, detail?: string): BotError {
  return new BotError({ code: 'sops_unsupported', userMessage, detail });
}

function invalid(userMessage: string, detail?: string): BotError {
  return new BotError({ code: 'sops_yaml_invalid', userMessage, detail });
}

/**
 * stores/yaml/store.go loads each YAML document as a branch; the bot's files hold one, so more
 * than one (or none) is refused. Duplicate keys are an error there as here.
 */
export function parseSopsYaml(text: string): SopsDocument {
  const documents = parseAllDocuments(text);
  if (!Array.isArray(documents) || documents.length !== 1) {
    throw unsupported('The sops file must hold exactly one YAML document.');
  }
  const document = documents[0] as Document.Parsed;
  const [error] = document.errors;
  if (error) {
    const where = error.linePos?.[0];
    throw invalid(
      'The sops file is not valid YAML.',
      `${error.code}${where ? ` at line ${where.line}, column ${where.col}` : ''}`,
    );
  }
  const root = document.contents;
  if (!isMap(root)) throw unsupported('The sops file must be a YAML mapping at the top level.');
  const sopsPairs = root.items.filter((pair) => isScalar(pair.key) && pair.key.value === 'sops');
  const sopsPair = sopsPairs[0];
  if (sopsPairs.length !== 1 || !sopsPair || !isMap(sopsPair.value)) {
    throw invalid('The file has no `sops:` metadata block; it is not encrypted with sops.');
  }
  const walked: Pick<SopsDocument, 'leaves' | 'keys'> = { leaves: [], keys: [] };
  for (const pair of root.items) if (pair !== sopsPair) walkPair(pair, [], walked);
  return {
    text,
    document,
    root,
    sops: sopsPair.value,
    metadata: parseMetadata(sopsPair.value.toJSON()),
    ...walked,
  };
}

function keyOf(pair: Pair, path: string[]): { name: string; offset: number } {
  const key = pair.key;
  if (!isScalar(key) || typeof key.value !== 'string' || !key.range) {
    throw unsupported(
      'The sops file has a key that is not a string; sops supports string keys only.',
      `under ${path.join('.') || 'the top level'}`,
    );
  }
  return { name: key.value, offset: key.range[0] };
}

function walkPair(pair: Pair, path: string[], out: Pick<SopsDocument, 'leaves' | 'keys'>): void {
  const key = keyOf(pair, path);
  const childPath = [...path, key.name];
  out.keys.push({ path: childPath, offset: key.offset });
  walkValue(pair.value, childPath, out);
}

/** Tree.walkValue: nulls are skipped (no MAC bytes), sequences keep their key's path. */
function walkValue(node: unknown, path: string[], out: Pick<SopsDocument, 'leaves' | 'keys'>): void {
  if (node === null || node === undefined) return;
  if (isMap(node)) for (const pair of node.items) walkPair(pair, path, out);
  else if (isSeq(node)) for (const item of node.items) walkValue(item, path, out);
  else if (isScalar(node)) {
    if (node.value !== null) out.leaves.push({ path, node });
  } else if (isAlias(node)) {
    throw unsupported('The sops file uses a YAML alias, which the bot does not edit.', path.join('.'));
  }
}

/** Comments as the YAML CST sees them (never inside block scalars), with their source offsets. */
export function commentTokens(text: string): { offset: number; source: string }[] {
  const found: { offset: number; source: string }[] = [];
  const visit = (token: unknown): void => {
    if (Array.isArray(token)) for (const item of token) visit(item);
    else if (token && typeof token === 'object') {
      const candidate = token as { type?: unknown; offset?: unknown; source?: unknown };
      if (candidate.type === 'comment' && typeof candidate.offset === 'number') {
        found.push({ offset: candidate.offset, source: String(candidate.source) });
      } else for (const value of Object.values(token)) visit(value);
    }
  };
  for (const token of new Parser().parse(text)) visit(token);
  return found;
}

/** The 0-based column of an offset, for indenting inserted lines like their neighbours. */
export function columnOf(text: string, offset: number): number {
  return offset - (text.lastIndexOf('\n', offset - 1) + 1);
}

/** The offset just after the line an offset falls on (or the end of the text). */
export function nextLineStart(text: string, offset: number): number {
  if (offset > 0 && text[offset - 1] === '\n') return offset;
  const newline = text.indexOf('\n', offset);
  return newline === -1 ? text.length : newline + 1;
}
