/** Every persona the simulator knows, by the name scenarios use. */
import type { Persona } from '../persona.js';
import { mobileAppPersona } from './app-user.js';
import { commentSpamPersona } from './comment-spam.js';
import { crackingPersona } from './cracking.js';
import { fakeSignupsPersona } from './fake-signups.js';
import { headlessStufferPersona } from './headless-stuffer.js';
import { hydraPersona } from './hydra.js';
import { scraperPersona } from './scraper.js';
import { sprayingPersona } from './spraying.js';
import { stuffingDistributedPersona } from './stuffing-distributed.js';
import { stuffingOneHostPersona } from './stuffing-one-host.js';
import { desktopBrowserPersona, mobileBrowserPersona } from './web-user.js';

// Each persona validates its own options; the registry only needs to know they exist.
// biome-ignore lint/suspicious/noExplicitAny: options differ per persona and are checked by its schema
type AnyPersona = Persona<any>;

export const PERSONAS: ReadonlyMap<string, AnyPersona> = new Map<string, AnyPersona>(
  [
    desktopBrowserPersona,
    mobileBrowserPersona,
    mobileAppPersona,
    stuffingOneHostPersona,
    stuffingDistributedPersona,
    crackingPersona,
    sprayingPersona,
    headlessStufferPersona,
    hydraPersona,
    fakeSignupsPersona,
    commentSpamPersona,
    scraperPersona,
  ].map((persona) => [persona.name, persona as AnyPersona]),
);
