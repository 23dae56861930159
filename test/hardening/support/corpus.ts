/** The HTTP corpus (test/fixtures/http-corpus/*.json): request cases as data. */
import { readFileSync } from 'node:fs';

export interface CorpusCase {
  readonly name: string;
  readonly source: string;
  readonly why: string;
  /** The bytes to send, one character per byte (Latin-1). */
  readonly request: string;
  readonly expect: 'refused' | 'forwarded';
  /** For `refused`: botgate's status (default 400; 0 means the connection is closed unanswered). */
  readonly status?: number;
  /** For `forwarded`: the body the upstream must receive (after de-chunking). */
  readonly body?: string;
  /** For `forwarded`: how many requests reach the upstream (default 1). */
  readonly requests?: number;
  /** Every status the client gets, in order, when it is more than one. */
  readonly statuses?: number[];
  /** What Node's parser alone does with it, by major version. */
  readonly node: Readonly<Record<string, 'accepts' | 'refuses'>>;
}

export const CORPUS_FILES = ['smuggling', 'framing', 'headers', 'request-line'] as const;

export function loadCorpus(file: string): CorpusCase[] {
  return JSON.parse(
    readFileSync(new URL(`../../fixtures/http-corpus/${file}.json`, import.meta.url), 'utf8'),
  ) as CorpusCase[];
}
