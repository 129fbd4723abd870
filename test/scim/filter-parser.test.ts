import { parseFilter } from '../../src/schema/filter-parser.js';

describe('SCIM filter parser (RFC 7644 §3.4.2.2)', () => {
  it('gives and precedence over or, and not over and', () => {
    expect(parseFilter('a eq "1" or b eq "2" and not (c pr)')).toEqual({
      kind: 'or',
      left: { kind: 'compare', path: 'a', op: 'eq', value: '1' },
      right: {
        kind: 'and',
        left: { kind: 'compare', path: 'b', op: 'eq', value: '2' },
        right: { kind: 'not', expr: { kind: 'present', path: 'c' } },
      },
    });
  });

  it('reads operators and keywords in any case', () => {
    expect(parseFilter('userName EQ "x" AND active Eq TRUE')).toEqual({
      kind: 'and',
      left: { kind: 'compare', path: 'userName', op: 'eq', value: 'x' },
      right: { kind: 'compare', path: 'active', op: 'eq', value: true },
    });
  });

  it('accepts the unquoted values Microsoft sends', () => {
    expect(parseFilter('userName sw O')).toEqual({ kind: 'compare', path: 'userName', op: 'sw', value: 'O' });
    expect(parseFilter('meta.Created gt 2015-10-10T14:38:21.8617979-07:00')).toEqual({
      kind: 'compare',
      path: 'meta.Created',
      op: 'gt',
      value: '2015-10-10T14:38:21.8617979-07:00',
    });
    expect(parseFilter('emails.Value co example.com')).toMatchObject({ value: 'example.com' });
  });

  it('parses value paths and extension URNs', () => {
    expect(parseFilter('emails[type eq "work" and value co "@x"]')).toEqual({
      kind: 'valuePath',
      path: 'emails',
      filter: {
        kind: 'and',
        left: { kind: 'compare', path: 'type', op: 'eq', value: 'work' },
        right: { kind: 'compare', path: 'value', op: 'co', value: '@x' },
      },
    });
    expect(
      parseFilter('urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value eq "m1"'),
    ).toMatchObject({
      path: 'urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:manager.value',
    });
  });

  it('reads JSON escapes, numbers, booleans and null', () => {
    expect(parseFilter('displayName eq "say \\"hi\\""')).toMatchObject({ value: 'say "hi"' });
    expect(parseFilter('x gt 10.5')).toMatchObject({ value: 10.5 });
    expect(parseFilter('x eq null')).toMatchObject({ value: null });
    expect(parseFilter('x eq false')).toMatchObject({ value: false });
  });

  it.each([
    ['', 'empty'],
    ['userName', 'Expected an operator'],
    ['userName eq', 'Expected a value'],
    ['userName xx "a"', 'Unknown operator'],
    ['(userName eq "a"', 'Missing ")"'],
    ['emails[type eq "a"', 'Missing "]"'],
    ['userName eq "a" extra', 'Unexpected'],
    ['userName eq "unterminated', 'Unterminated string'],
    ['"quoted" eq "a"', 'Expected an attribute name'],
    ['a eq "1" and', 'ends where an expression was expected'],
  ])('refuses %j with invalidFilter (%s)', (filter, message) => {
    expect(() => parseFilter(filter)).toThrow(
      expect.objectContaining({
        kind: 'invalid',
        code: 'invalid_filter',
        options: { scimType: 'invalidFilter', errors: undefined },
      }),
    );
    expect(() => parseFilter(filter)).toThrow(message);
  });

  it('refuses filters over 4096 characters and over 50 logical operators, quickly', () => {
    expect(() => parseFilter(`userName eq "${'a'.repeat(4100)}"`)).toThrow('longer than 4096');
    const many = Array.from({ length: 52 }, (_, i) => `userName eq "u${i}"`).join(' or ');
    expect(() => parseFilter(many)).toThrow('more than 50 logical operators');
    expect(() => parseFilter(`${'('.repeat(40)}a pr${')'.repeat(40)}`)).toThrow('nests deeper');
  });

  it('parses the 14 or-group filter that takes scimmy over half a second as a tree, without expansion', () => {
    const groups = Array.from({ length: 14 }, (_, i) => `(userName eq "u${i}" or displayName eq "d${i}")`).join(
      ' and ',
    );
    const tree = parseFilter(groups);
    expect(tree.kind).toBe('and');
    // A tree of 14 ands over 14 ors: 28 leaves, not 2^14 conjunctions.
    const leaves = (n: ReturnType<typeof parseFilter>): number =>
      n.kind === 'and' || n.kind === 'or' ? leaves(n.left) + leaves(n.right) : n.kind === 'not' ? leaves(n.expr) : 1;
    expect(leaves(tree)).toBe(28);
  });
});
