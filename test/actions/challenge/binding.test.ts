import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { clientBinding } from '../../../src/actions/challenge/binding.js';

const CHROME = {
  'user-agent': 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/140.0.0.0 Safari/537.36',
  'accept-language': 'en-GB,en;q=0.9',
  'sec-ch-ua-platform': '"Linux"',
  'sec-ch-ua-mobile': '?0',
};

describe('clientBinding', () => {
  it('is 16 hex characters and the same for a navigation, a form post and a fetch from one browser', () => {
    const navigation = {
      ...CHROME,
      accept: 'text/html,application/xhtml+xml',
      'sec-fetch-mode': 'navigate',
      'upgrade-insecure-requests': '1',
    };
    const formPost = {
      ...navigation,
      'content-type': 'application/x-www-form-urlencoded',
      origin: 'https://shop.example',
      'cache-control': 'max-age=0',
    };
    const fetchCall = { ...CHROME, accept: '*/*', 'sec-fetch-mode': 'cors', referer: 'https://shop.example/account' };
    const binding = clientBinding(navigation);
    expect(binding).toMatch(/^[0-9a-f]{16}$/);
    expect(clientBinding(formPost)).toBe(binding);
    expect(clientBinding(fetchCall)).toBe(binding);
  });

  it('changes with the user agent, the languages, the platform or the form factor', () => {
    const base = clientBinding(CHROME);
    const variants = [
      { ...CHROME, 'user-agent': CHROME['user-agent'].replace('140', '141') },
      { ...CHROME, 'accept-language': 'fr-FR,fr;q=0.9' },
      { ...CHROME, 'sec-ch-ua-platform': '"Windows"' },
      { ...CHROME, 'sec-ch-ua-mobile': '?1' },
      { ...CHROME, 'accept-language': undefined },
    ];
    const bindings = new Set(variants.map(clientBinding));
    expect(bindings.size).toBe(variants.length);
    expect(bindings.has(base)).toBe(false);
  });

  it('keeps header boundaries: moving text from one header to the next gives another binding', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1, maxLength: 30 }), fc.string({ maxLength: 30 }), (ua, lang) => {
        fc.pre(!ua.includes('\n'));
        const split = clientBinding({ 'user-agent': ua.slice(0, -1), 'accept-language': ua.slice(-1) + lang });
        expect(clientBinding({ 'user-agent': ua, 'accept-language': lang })).not.toBe(split);
      }),
    );
  });

  it('reads repeated headers as Node joins them', () => {
    expect(clientBinding({ ...CHROME, 'accept-language': ['en-GB', 'en'] })).toBe(
      clientBinding({ ...CHROME, 'accept-language': 'en-GB, en' }),
    );
  });
});
