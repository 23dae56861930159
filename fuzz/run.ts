/**
 * `npm run fuzz`: the parsers that read attacker bytes, fuzzed for a bounded time. Not in CI.
 *
 *   node --import tsx fuzz/run.ts [--seconds 60] [--only body-fields|request-target|request-head|wire] [--seed N]
 *
 * jazzer.js (coverage-guided) needs prebuilt native binaries fetched at install time, which this
 * environment does not allow; these targets are fast-check properties run with fresh seeds until
 * the time is up (random and structure-aware, not coverage-guided). Each target states its
 * invariants; the first violation is printed with its seed and shrunk input, and the exit code
 * is 1. Time is shared equally among the targets chosen.
 */
import { parseArgs } from 'node:util';
import fc from 'fast-check';
import { bodyFieldsTarget } from './body-fields.js';
import { requestHeadTarget } from './request-head.js';
import { requestTargetTarget } from './request-target.js';
import type { FuzzTarget } from './target.js';
import { wireTarget } from './wire.js';

const TARGETS: Readonly<Record<string, () => FuzzTarget | Promise<FuzzTarget>>> = {
  'body-fields': bodyFieldsTarget,
  'request-target': requestTargetTarget,
  'request-head': requestHeadTarget,
  wire: wireTarget,
};

const { values } = parseArgs({
  options: { seconds: { type: 'string', default: '60' }, only: { type: 'string' }, seed: { type: 'string' } },
});
const seconds = Number(values.seconds);
const chosen = values.only ? values.only.split(',') : Object.keys(TARGETS);
for (const name of chosen) {
  if (!(name in TARGETS)) {
    console.error(`Cannot fuzz: no target "${name}" (expected one of ${Object.keys(TARGETS).join(', ')})`);
    process.exit(2);
  }
}

let failed = false;
for (const name of chosen) {
  const target = await TARGETS[name]!();
  const deadline = performance.now() + (seconds * 1000) / chosen.length;
  let runs = 0;
  let rounds = 0;
  try {
    while (performance.now() < deadline) {
      const seed =
        values.seed !== undefined && rounds === 0 ? Number(values.seed) : Math.floor(Math.random() * 2 ** 31);
      const details = await fc.check(target.property, { numRuns: target.batch, seed, endOnFailure: false });
      runs += details.numRuns;
      rounds++;
      if (details.failed) {
        console.error(`\n${name}: invariant violated (seed ${seed})\n${fc.defaultReportMessage(details)}`);
        if (details.errorInstance !== undefined) console.error(String(details.errorInstance));
        failed = true;
        break;
      }
    }
  } finally {
    await target.close?.();
  }
  console.log(
    `${name.padEnd(15)} ${String(runs).padStart(8)} inputs in ${Math.round((seconds * 1000) / chosen.length / 1000)} s${failed ? '  FAILED' : '  ok'}`,
  );
  if (failed) break;
}
process.exit(failed ? 1 : 0);
