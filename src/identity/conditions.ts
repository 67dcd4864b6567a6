/**
 * ABAC conditions on role assignments (format 2.0), evaluated in three-valued logic for the RBAC
 * evaluator (rbac.ts).
 * https://learn.microsoft.com/azure/role-based-access-control/conditions-overview
 */
import { operationMatches } from './definitions.js';
import type { Permission } from './rbac-types.js';

/**
 * Evaluates an ABAC condition (format 2.0) for one permission, in three-valued logic: `true` or
 * `false` when the condition's value is known exactly, `undefined` otherwise. Known exactly:
 * `ActionMatches{'…'}` (against the permission asked), `!`/`NOT`, `AND`/`&&`, `OR`/`||`,
 * parentheses, and string comparisons of an attribute the question supplies. Anything else (an
 * attribute of the request or principal not supplied, `SubOperationMatches`, a function or
 * operator not listed) is undecidable: the condition could go either way.
 * https://learn.microsoft.com/azure/role-based-access-control/conditions-format
 */
export function evaluateCondition(
  condition: string,
  permission: Permission,
  attributes: Readonly<Record<string, string>> = {},
): { value: boolean | undefined; reason?: string } {
  const attrs = new Map(Object.entries(attributes).map(([k, v]) => [k.toLowerCase().replace(/\s+/g, ''), v]));
  let tokens: Token[];
  try {
    tokens = tokenize(condition);
  } catch (err) {
    return { value: undefined, reason: `could not be parsed (${(err as Error).message})` };
  }
  const reasons: string[] = [];
  let i = 0;
  const peek = (): Token | undefined => tokens[i];
  const take = (): Token => {
    const t = tokens[i++];
    if (!t) throw new Error('unexpected end');
    return t;
  };
  const isWord = (t: Token | undefined, ...words: string[]): boolean => t?.kind === 'word' && words.includes(t.text.toUpperCase());

  function orExpr(): boolean | undefined {
    let v = andExpr();
    while (isWord(peek(), 'OR') || peek()?.kind === 'or') {
      take();
      const r = andExpr();
      v = v === true || r === true ? true : v === false && r === false ? false : undefined;
    }
    return v;
  }
  function andExpr(): boolean | undefined {
    let v = unary();
    while (isWord(peek(), 'AND') || peek()?.kind === 'and') {
      take();
      const r = unary();
      v = v === false || r === false ? false : v === true && r === true ? true : undefined;
    }
    return v;
  }
  function unary(): boolean | undefined {
    if (peek()?.kind === 'not' || isWord(peek(), 'NOT')) {
      take();
      const v = unary();
      return v === undefined ? undefined : !v;
    }
    return primary();
  }
  function primary(): boolean | undefined {
    const t = take();
    if (t.kind === 'lparen') {
      const v = orExpr();
      if (take().kind !== 'rparen') throw new Error('expected )');
      return v;
    }
    if (t.kind === 'word' && /^(ActionMatches|SubOperationMatches)$/i.test(t.text)) {
      const set = take();
      if (set.kind !== 'set' || set.values.length !== 1) throw new Error(`${t.text} takes one string`);
      if (/^SubOperationMatches$/i.test(t.text)) {
        reasons.push(`depends on the sub-operation (${set.values[0]})`);
        return undefined;
      }
      return operationMatches(set.values[0]!, permission.name);
    }
    if (t.kind === 'attr') {
      const op = take();
      if (op.kind !== 'word') throw new Error('expected an operator');
      const value = take();
      if (value.kind !== 'string' && value.kind !== 'set') throw new Error('expected a value');
      const known = attrs.get(t.text.toLowerCase().replace(/\s+/g, ''));
      if (known === undefined) {
        reasons.push(`depends on ${t.text}, which is not known before the request`);
        return undefined;
      }
      const r = compare(op.text, known, value.kind === 'string' ? [value.text] : value.values);
      if (r === undefined) reasons.push(`uses the operator ${op.text}, which is not evaluated here`);
      return r;
    }
    throw new Error(`unexpected ${t.kind}`);
  }

  try {
    const v = orExpr();
    if (i !== tokens.length) throw new Error('trailing input');
    return v === undefined ? { value: undefined, reason: reasons.join('; ') || 'cannot be decided here' } : { value: v };
  } catch (err) {
    return { value: undefined, reason: `could not be parsed (${(err as Error).message})` };
  }
}

type Token =
  | { kind: 'lparen' | 'rparen' | 'and' | 'or' | 'not' }
  | { kind: 'word'; text: string }
  | { kind: 'attr'; text: string }
  | { kind: 'string'; text: string }
  | { kind: 'set'; values: string[] };

const SINGLE: Readonly<Record<string, 'lparen' | 'rparen' | 'not'>> = { '(': 'lparen', ')': 'rparen', '!': 'not' };
const DOUBLE: Readonly<Record<string, 'and' | 'or'>> = { '&&': 'and', '||': 'or' };

function tokenize(s: string): Token[] {
  const out: Token[] = [];
  let i = 0;
  const readString = (): string => {
    const quote = s[i]!;
    const end = s.indexOf(quote, i + 1);
    if (end < 0) throw new Error('unterminated string');
    const text = s.slice(i + 1, end);
    i = end + 1;
    return text;
  };
  while (i < s.length) {
    const c = s[i]!;
    const single = SINGLE[c];
    const double = DOUBLE[s.slice(i, i + 2)];
    if (/\s/.test(c)) i++;
    else if (double) {
      out.push({ kind: double });
      i += 2;
    } else if (single) {
      out.push({ kind: single });
      i++;
    } else if (c === "'" || c === '"') out.push({ kind: 'string', text: readString() });
    else if (c === '{') {
      i++;
      const values: string[] = [];
      for (;;) {
        while (i < s.length && /[\s,]/.test(s[i]!)) i++;
        if (s[i] === '}') {
          i++;
          break;
        }
        if (s[i] !== "'" && s[i] !== '"') throw new Error('expected a string in {…}');
        values.push(readString());
      }
      out.push({ kind: 'set', values });
    } else if (c === '@') {
      const end = s.indexOf(']', i);
      if (end < 0) throw new Error('unterminated attribute');
      out.push({ kind: 'attr', text: s.slice(i, end + 1) });
      i = end + 1;
    } else {
      const m = /^[A-Za-z][\w:]*/.exec(s.slice(i));
      if (!m) throw new Error(`unexpected character ${c}`);
      out.push({ kind: 'word', text: m[0] });
      i += m[0].length;
    }
  }
  return out;
}

/** The string operators of conditions-format, on one known value; undefined for any other operator. */
function compare(op: string, value: string, operands: readonly string[]): boolean | undefined {
  const o = op.toLowerCase();
  const negated = o.startsWith('stringnot');
  const base = o.replace(/^stringnot/, 'string');
  const ci = base.endsWith('ignorecase');
  const kind = base.replace(/ignorecase$/, '');
  const v = ci ? value.toLowerCase() : value;
  const test = (x: string): boolean => {
    const w = ci ? x.toLowerCase() : x;
    if (kind === 'stringequals') return v === w;
    if (kind === 'stringstartswith') return v.startsWith(w);
    // StringLike: `*` any run, `?` one character.
    const re = new RegExp(
      `^${w
        .replace(/[.+^${}()|[\]\\]/g, '\\$&')
        .replace(/\*/g, '.*')
        .replace(/\?/g, '.')}$`,
      's',
    );
    return re.test(v);
  };
  if (kind !== 'stringequals' && kind !== 'stringstartswith' && kind !== 'stringlike') return undefined;
  if (operands.length !== 1) return undefined;
  const r = test(operands[0]!);
  return negated ? !r : r;
}
