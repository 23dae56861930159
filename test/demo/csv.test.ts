import { describe, expect, it } from 'vitest';
import { CsvSyntaxError, parseCsv } from '../../src/demo/csv.js';

describe('parseCsv', () => {
  it('reads plain and quoted fields, CRLF and LF, and skips blank lines', () => {
    const text = '\ufeffa,b,c\r\n\r\n"x, y","say ""hi""",""\n\nlast,row,here';
    expect(parseCsv(text)).toEqual([
      { line: 1, fields: ['a', 'b', 'c'] },
      { line: 3, fields: ['x, y', 'say "hi"', ''] },
      { line: 5, fields: ['last', 'row', 'here'] },
    ]);
  });

  it('keeps newlines inside quotes and numbers lines from where a record starts', () => {
    expect(parseCsv('"two\nlines",b\nc,d\n')).toEqual([
      { line: 1, fields: ['two\nlines', 'b'] },
      { line: 3, fields: ['c', 'd'] },
    ]);
  });

  it('keeps empty trailing fields', () => {
    expect(parseCsv('a,,\n')).toEqual([{ line: 1, fields: ['a', '', ''] }]);
  });

  it.each([
    ['an unclosed quote', 'a,b\n"open,c\nd', 2],
    ['text after a closing quote', 'a\n"x"y,z', 2],
    ['a quote inside an unquoted field', 'a\n\nab"c', 3],
  ])('rejects %s with its line', (_name, text, line) => {
    let caught: unknown;
    try {
      parseCsv(text);
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(CsvSyntaxError);
    expect((caught as CsvSyntaxError).line).toBe(line);
  });
});
