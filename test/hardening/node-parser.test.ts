/**
 * For the record: what Node's own HTTP parser, with botgate's settings and nothing else, lets
 * through to a request handler, compared with what the corpus says for this Node major version.
 * A Node upgrade that changes its parser fails here first, naming the cases to look at again;
 * the gateway's own verdicts (http-corpus.test.ts) must hold on every version either way.
 *
 * Run on Node 24 too: npx -p node@24 node ./node_modules/vitest/vitest.mjs run test/hardening
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type BareNode, startBareNode } from './support/bare-node.js';
import { CORPUS_FILES, loadCorpus } from './support/corpus.js';

const major = process.versions.node.split('.')[0]!;
let bare: BareNode;

beforeAll(async () => {
  bare = await startBareNode();
});

afterAll(async () => {
  await bare?.close();
});

describe(`Node ${major}'s own parser`, () => {
  for (const file of CORPUS_FILES) {
    it(`lets through what ${file}.json records for Node ${major}`, async ({ skip }) => {
      const cases = loadCorpus(file);
      if (cases.every((c) => c.node[major] === undefined)) skip(`no record for Node ${major}`);
      const differs: string[] = [];
      for (const c of cases) {
        const recorded = c.node[major];
        if (recorded === undefined) continue;
        const verdict = await bare.verdict(Buffer.from(c.request, 'latin1'));
        if (verdict !== recorded) differs.push(`${c.name}: ${verdict}, recorded ${recorded}`);
      }
      expect(differs).toEqual([]);
    });
  }

  it('the gateway refuses everything Node lets through that the corpus marks refused', () => {
    // A reading aid as much as a check: the list the threat model quotes.
    const passedByNode = CORPUS_FILES.flatMap((file) =>
      loadCorpus(file)
        .filter((c) => c.expect === 'refused' && c.node[major] === 'accepts')
        .map((c) => c.name),
    );
    expect(passedByNode.length).toBeGreaterThan(10);
  });
});
