import { describe, expect, it } from 'vitest';
import { BANDS, foldLookalikes, MAX_WORDS, similarity, sketchText } from '../../src/signals/text-sketch.js';

const TEMPLATE =
  'Great listing! I sell the same much cheaper, check my shop at bestdeals.com today, free shipping on all orders over 30 dollars';

/** A unique word of letters only for each n (digits would fold to one token). */
function letterWord(n: number): string {
  let word = 'w';
  for (let rest = n; rest > 0 || word.length === 1; rest = Math.floor(rest / 26))
    word += String.fromCharCode(97 + (rest % 26));
  return word;
}

function sharedBands(a: string, b: string): number {
  const x = sketchText(a).bands;
  const y = sketchText(b).bands;
  let shared = 0;
  for (let i = 0; i < BANDS; i++) if (x[i] === y[i]) shared++;
  return shared;
}

describe('sketchText: identical and near-duplicate texts', () => {
  it('gives identical texts one exact hash however cased, spaced or punctuated', () => {
    const a = sketchText('Is this STILL available?  I can pick it up today!');
    const b = sketchText('is this still available i can pick it up today');
    expect(a.exact).toMatch(/^[0-9a-f]{16}$/);
    expect(b.exact).toBe(a.exact);
    expect([...b.bands]).toEqual([...a.bands]);
    expect(sketchText('is this still available i can pick it up tomorrow').exact).not.toBe(a.exact);
  });

  it('splits words alike on the ASCII fast path and the Unicode path', () => {
    // The em dash and the ellipsis keep these texts non-ASCII after folding: the regex path.
    const ascii = sketchText('Bike 2019 model, 26in wheels - mint condition... call 0770 0900 123');
    const unicode = sketchText('Bike 2019 model, 26in wheels — mint condition… call 0770 0900 123');
    expect(unicode.exact).toBe(ascii.exact);
    expect([...unicode.bands]).toEqual([...ascii.bands]);
    expect(unicode.contacts).toBe(ascii.contacts);
  });

  it('folds digit runs, look-alike letters and link paths, which templates vary', () => {
    const base = sketchText('Call me on +1 555 201 4477 for cheap watches, see https://shop.example.com/p?id=1');
    expect(
      sketchText('Call me on +1 555 999 0000 for cheap watches, see https://shop.example.com/other/path').exact,
    ).toBe(base.exact);
    // Cyrillic с, а, о in "Саll", "wаtchеs", "shор".
    expect(sketchText('Саll me on +1 555 201 4477 for cheap wаtchеs, see https://shор.example.com/p').exact).toBe(
      base.exact,
    );
    expect(foldLookalikes('Ｃａｆé')).toBe('cafe');
  });

  it('puts lightly varied texts in a shared band, and unrelated ones in none', () => {
    const variants = [
      'Awesome listing! I sell the same much cheaper, check my shop at bestdeals.com today, free shipping on all orders over 40 dollars',
      'Great listing! We sell the same much cheaper, check my shop at bestdeals.com now, free shipping on all orders over 30 dollars',
      'Great item! I sell the same much cheaper, check my shop at bestdeals.com today, fast shipping on all orders over 30 dollars',
    ];
    for (const v of variants) {
      expect(similarity(TEMPLATE, v), v).toBeGreaterThan(0.4);
      expect(sharedBands(TEMPLATE, v), v).toBeGreaterThan(0);
    }
    const unrelated = [
      'Hi, is the bike still available? I could come by on Saturday morning with cash if that works for you.',
      'Does the camera come with the original charger and box? Any scratches on the lens?',
      'Lovely sofa. Would you consider 250 if I collect it myself this weekend?',
    ];
    for (const u of unrelated) {
      expect(similarity(TEMPLATE, u), u).toBeLessThan(0.2);
      expect(sharedBands(TEMPLATE, u), u).toBe(0);
    }
  });

  it('estimates Jaccard similarity of word bigrams without bias', () => {
    // Texts of unique words a0…a119: A = words 0–99, B = words k–(99+k); their bigram sets share
    // 99 − k of 99, so J = (99 − k) / (99 + k). The mean over many word sets keeps the error small.
    for (const k of [10, 30, 60]) {
      let total = 0;
      const runs = 40;
      for (let run = 0; run < runs; run++) {
        const words = Array.from({ length: 100 + k }, (_, i) => letterWord(run * 1000 + i));
        total += similarity(words.slice(0, 100).join(' '), words.slice(k).join(' '));
      }
      const expected = (99 - k) / (99 + k);
      expect(Math.abs(total / runs - expected), `k=${k}`).toBeLessThan(0.08);
    }
  });

  it('sketches at most MAX_WORDS words of a huge text', () => {
    const huge = 'spam '.repeat(20_000);
    expect(sketchText(huge).words).toBeLessThanOrEqual(MAX_WORDS);
    expect(sketchText('').words).toBe(0);
  });
});

describe('sketchText: links and contact details', () => {
  it('counts URLs, bare and spelled-out domains, and e-mail addresses', () => {
    expect(sketchText('see https://example.com/a and www.example.org').links).toBe(2);
    expect(sketchText('visit cheapdeals.shop or t.me/cheapdeals').links).toBe(2);
    expect(sketchText('go to cheapdeals dot com now').links).toBe(1);
    expect(sketchText('go to cheapdeals[.]com now').links).toBe(1);
    expect(sketchText('write to deals@example.com').links).toBe(1);
  });

  it('counts phone numbers and messaging handles', () => {
    expect(sketchText('call +44 7700 900123 or (555) 201-4477 today').contacts).toBe(2);
    expect(sketchText('message me on whatsapp or telegram').contacts).toBe(2);
  });

  it('leaves ordinary comments at zero', () => {
    const ordinary = [
      'Would you take 1,250 for it? I can pay cash on Saturday.',
      'Bought the same model in 2019 - 2021 it worked fine.',
      'Does it run node.js, e.g. for a home server?',
      'I sold mine last year.to be honest it was a great bike',
      'I love the polka dot dress, what size is it?',
      'Is this still available?',
    ];
    for (const text of ordinary) {
      const s = sketchText(text);
      expect(s.links + s.contacts, text).toBe(0);
    }
  });
});
