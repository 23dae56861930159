import { describe, expect, it } from 'vitest';
import { SessionBook } from '../../src/demo/sessions.js';

describe('SessionBook', () => {
  it('opens unguessable sessions and ends them', () => {
    const book = new SessionBook();
    const id = book.start('alice');
    expect(id).toMatch(/^[A-Za-z0-9_-]{32}$/);
    expect(book.start('alice')).not.toBe(id);
    expect(book.find(id)).toBe('alice');
    expect(book.find('guess')).toBeUndefined();
    expect(book.find(undefined)).toBeUndefined();
    book.end(id);
    expect(book.find(id)).toBeUndefined();
  });

  it('forgets the oldest session past its capacity', () => {
    const book = new SessionBook(2);
    const first = book.start('a');
    const second = book.start('b');
    const third = book.start('c');
    expect(book.size).toBe(2);
    expect(book.find(first)).toBeUndefined();
    expect(book.find(second)).toBe('b');
    expect(book.find(third)).toBe('c');
  });
});
