/** Options shared by the personas that log in with stolen credentials. */
import { z } from 'zod';

export const comboOptions = {
  /** Share of tries that are real accounts with their real password (reused elsewhere and leaked). */
  realAccountShare: z.number().min(0).max(1).default(0.03),
  /** Share of tries that are real accounts with a wrong (old or foreign) password. */
  staleShare: z.number().min(0).max(1).default(0.02),
};

/** Which login the campaign targets: the web form or the JSON API. */
export const endpoint = z.enum(['form', 'api']);
export type Endpoint = z.infer<typeof endpoint>;

export const LOGIN_PATHS: Record<Endpoint, string> = { form: '/login', api: '/api/login' };
