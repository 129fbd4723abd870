import { invalid as invalidInput } from '../errors/domain-error.js';
import { COMPARE_OPS, type CompareOp, type FilterNode, type FilterValue } from './filter-ast.js';

/**
 * A linear-time parser for RFC 7644 §3.4.2.2 filters: precedence not > and > or, grouping,
 * value paths, case-insensitive operators. It also accepts unquoted values (`userName sw O`,
 * `meta.created gt 2015-10-10T14:38:21Z`), which Microsoft's clients send.
 * scimmy's own parser expands filters into disjunctive normal form, exponential in the number of
 * or-groups (over half a second for 650 characters), so keyscope parses to a tree and leaves the
 * rest to PostgreSQL; the caps below bound what a client can make it do.
 */
export const MAX_FILTER_LENGTH = 4096;
export const MAX_LOGICAL_OPERATORS = 50;
const MAX_DEPTH = 32;

type Token =
  | { type: 'lparen' | 'rparen' | 'lbracket' | 'rbracket'; pos: number }
  | { type: 'string'; value: string; pos: number }
  | { type: 'word'; value: string; pos: number };

const invalid = (detail: string) => invalidInput(detail, 'invalidFilter');

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r') {
      i++;
    } else if (c === '(' || c === ')' || c === '[' || c === ']') {
      tokens.push({ type: c === '(' ? 'lparen' : c === ')' ? 'rparen' : c === '[' ? 'lbracket' : 'rbracket', pos: i });
      i++;
    } else if (c === '"') {
      const start = i++;
      while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
      if (i >= text.length) throw invalid(`Unterminated string starting at position ${start + 1}`);
      const raw = text.slice(start, ++i);
      let value: string;
      try {
        value = JSON.parse(raw) as string;
      } catch {
        throw invalid(`Invalid escape in the string at position ${start + 1}`);
      }
      if (value.includes('\u0000')) throw invalid('The filter contains a NUL character');
      tokens.push({ type: 'string', value, pos: start });
    } else {
      const start = i;
      while (i < text.length && !' \t\n\r()[]"'.includes(text[i]!)) i++;
      tokens.push({ type: 'word', value: text.slice(start, i), pos: start });
    }
  }
  return tokens;
}

// Attribute names and the urn: prefix are case-insensitive (RFC 7643 §2.1, RFC 8141 §3.1).
const ATTR_PATH = /^(urn:[a-z0-9:._-]+:)?[a-z$][\w$-]*(\.[a-z$][\w$-]*)?$/i;
const NUMBER = /^-?\d+(\.\d+)?([eE][+-]?\d+)?$/;

class Parser {
  private i = 0;
  private logical = 0;
  private depth = 0;

  constructor(private readonly tokens: Token[]) {}

  parse(): FilterNode {
    if (!this.tokens.length) throw invalid('The filter is empty');
    const node = this.parseOr();
    const extra = this.tokens[this.i];
    if (extra) throw invalid(`Unexpected ${describe(extra)} at position ${extra.pos + 1}`);
    return node;
  }

  private peekWord(word: string): boolean {
    const t = this.tokens[this.i];
    return t?.type === 'word' && t.value.toLowerCase() === word;
  }

  private countLogical(): void {
    if (++this.logical > MAX_LOGICAL_OPERATORS)
      throw invalid(`The filter has more than ${MAX_LOGICAL_OPERATORS} logical operators`);
  }

  private parseOr(): FilterNode {
    let left = this.parseAnd();
    while (this.peekWord('or')) {
      this.i++;
      this.countLogical();
      left = { kind: 'or', left, right: this.parseAnd() };
    }
    return left;
  }

  private parseAnd(): FilterNode {
    let left = this.parseUnary();
    while (this.peekWord('and')) {
      this.i++;
      this.countLogical();
      left = { kind: 'and', left, right: this.parseUnary() };
    }
    return left;
  }

  private parseUnary(): FilterNode {
    const t = this.tokens[this.i];
    if (!t) throw invalid('The filter ends where an expression was expected');
    if (this.peekWord('not') && this.tokens[this.i + 1]?.type === 'lparen') {
      this.i++;
      this.countLogical();
      return { kind: 'not', expr: this.parseGroup() };
    }
    if (t.type === 'lparen') return this.parseGroup();
    return this.parseAttributeExpression();
  }

  private parseGroup(): FilterNode {
    const open = this.tokens[this.i++]!;
    if (++this.depth > MAX_DEPTH) throw invalid(`The filter nests deeper than ${MAX_DEPTH} levels`);
    const inner = this.parseOr();
    this.depth--;
    const close = this.tokens[this.i];
    if (close?.type !== 'rparen') throw invalid(`Missing ")" for the "(" at position ${open.pos + 1}`);
    this.i++;
    return inner;
  }

  private parseAttributeExpression(): FilterNode {
    const t = this.tokens[this.i++]!;
    if (t.type !== 'word' || !ATTR_PATH.test(t.value))
      throw invalid(`Expected an attribute name at position ${t.pos + 1}, found ${describe(t)}`);
    const path = t.value;
    const next = this.tokens[this.i];
    if (next?.type === 'lbracket') {
      this.i++;
      if (++this.depth > MAX_DEPTH) throw invalid(`The filter nests deeper than ${MAX_DEPTH} levels`);
      const filter = this.parseOr();
      this.depth--;
      const close = this.tokens[this.i];
      if (close?.type !== 'rbracket') throw invalid(`Missing "]" for the "[" at position ${next.pos + 1}`);
      this.i++;
      return { kind: 'valuePath', path, filter };
    }
    if (next?.type !== 'word') throw invalid(`Expected an operator after "${path}"`);
    const op = next.value.toLowerCase();
    this.i++;
    if (op === 'pr') return { kind: 'present', path };
    if (!(COMPARE_OPS as readonly string[]).includes(op)) {
      throw invalid(
        `Unknown operator "${next.value}" at position ${next.pos + 1}; use one of ${COMPARE_OPS.join(', ')} or pr`,
      );
    }
    return { kind: 'compare', path, op: op as CompareOp, value: this.parseValue(path) };
  }

  private parseValue(path: string): FilterValue {
    const t = this.tokens[this.i++];
    if (t?.type === 'string') return t.value;
    if (t?.type !== 'word') throw invalid(`Expected a value to compare "${path}" with`);
    const word = t.value;
    const lower = word.toLowerCase();
    if (lower === 'true') return true;
    if (lower === 'false') return false;
    if (lower === 'null') return null;
    if (NUMBER.test(word)) return Number(word);
    return word; // an unquoted string
  }
}

function describe(t: Token): string {
  switch (t.type) {
    case 'word':
      return `"${t.value}"`;
    case 'string':
      return `the string ${JSON.stringify(t.value)}`;
    default:
      return `"${{ lparen: '(', rparen: ')', lbracket: '[', rbracket: ']' }[t.type]}"`;
  }
}

export function parseFilter(text: string): FilterNode {
  if (text.length > MAX_FILTER_LENGTH) throw invalid(`The filter is longer than ${MAX_FILTER_LENGTH} characters`);
  if (text.includes('\u0000')) throw invalid('The filter contains a NUL character');
  return new Parser(tokenize(text)).parse();
}
