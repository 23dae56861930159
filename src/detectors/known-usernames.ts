/**
 * Bootstrapping "never seen": on its first day botgate knows no usernames, so every login
 * looks unknown. The application can export its usernames; `botgate users import` turns them
 * into keyed hashes under the node secret (the clear list never reaches the gateway host), and
 * the gateway loads the file on start as known usernames, in bounded batches of store writes.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import type { Store, StoreOp } from '../state/store.js';
import { DAY_MS, loginKeys } from './login-keys.js';

const HASH = /^[0-9a-f]{32}$/;
const BATCH = 1_000;

/** Loads a hash file into the store; returns how many hashes were loaded and how many lines were skipped. */
export async function loadKnownUsernames(
  path: string,
  store: Store,
  knownUsernameDays: number,
): Promise<{ loaded: number; skipped: number }> {
  const ttlMs = knownUsernameDays * DAY_MS;
  let batch: StoreOp[] = [];
  let loaded = 0;
  let skipped = 0;
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Number.POSITIVE_INFINITY });
  for await (const raw of lines) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    if (!HASH.test(line)) {
      skipped++;
      continue;
    }
    batch.push({ kind: 'flagSet', key: loginKeys.knownUsername(line), value: '1', ttlMs });
    loaded++;
    if (batch.length >= BATCH) {
      await store.exec(batch);
      batch = [];
    }
  }
  if (batch.length > 0) await store.exec(batch);
  return { loaded, skipped };
}
