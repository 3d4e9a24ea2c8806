/**
 * The label selector grammar the API server accepts in `?labelSelector=`: equality (`k=v`, `k==v`),
 * inequality (`k!=v`), existence (`k`, `!k`) and sets (`k in (a,b)`, `k notin (a,b)`), joined by
 * commas. Returns undefined for text the API server would answer with 400.
 */
export type LabelMatcher = (labels: Record<string, string>) => boolean;

const KEY = '[A-Za-z0-9]([-A-Za-z0-9_./]*[A-Za-z0-9])?';
const VALUE = '([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?';
const EQUALITY = new RegExp(`^(${KEY})\\s*(==|=|!=)\\s*(${VALUE})$`);
const SET = new RegExp(`^(${KEY})\\s+(in|notin)\\s+\\(([^)]*)\\)$`);
const EXISTS = new RegExp(`^(!?)(${KEY})$`);

export function parseLabelSelector(text: string): LabelMatcher | undefined {
  const requirements: LabelMatcher[] = [];
  for (const raw of splitRequirements(text)) {
    const part = raw.trim();
    if (part === '') continue;
    const matcher = requirement(part);
    if (!matcher) return undefined;
    requirements.push(matcher);
  }
  return (labels) => requirements.every((matches) => matches(labels));
}

function requirement(part: string): LabelMatcher | undefined {
  const equality = EQUALITY.exec(part);
  if (equality) {
    const [, key = '', , operator, value = ''] = equality;
    return operator === '!=' ? (labels) => labels[key] !== value : (labels) => labels[key] === value;
  }
  const set = SET.exec(part);
  if (set) {
    const [, key = '', , operator, list = ''] = set;
    const values = list.split(',').map((v) => v.trim());
    return operator === 'in'
      ? (labels) => key in labels && values.includes(labels[key] ?? '')
      : (labels) => !(key in labels) || !values.includes(labels[key] ?? '');
  }
  const exists = EXISTS.exec(part);
  if (exists) {
    const [, negated, key = ''] = exists;
    return negated ? (labels) => !(key in labels) : (labels) => key in labels;
  }
  return undefined;
}

/** Commas inside `in (…)` lists do not separate requirements. */
function splitRequirements(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const char of text) {
    if (char === '(') depth += 1;
    if (char === ')') depth -= 1;
    if (char === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  parts.push(current);
  return parts;
}
