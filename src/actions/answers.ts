/**
 * The catalogue of answers botgate writes itself, with stable codes. The client sees the code,
 * a public sentence and the reference id; the cause stays in the event and the log.
 */
export const ANSWERS = {
  blocked: { status: 403, title: 'Access denied', message: 'This request was blocked by the site’s bot protection.' },
  rate_limited: {
    status: 429,
    title: 'Too many requests',
    message: 'Too many requests from your network. Please wait and try again.',
  },
  challenge_required: {
    status: 403,
    title: 'Verification required',
    message: 'This request needs a browser verification first. Reload the page in a browser and try again.',
  },
  bad_request: { status: 400, title: 'Bad request', message: 'The request could not be understood.' },
  body_too_large: {
    status: 413,
    title: 'Request too large',
    message: 'The request body is larger than this site accepts.',
  },
  headers_too_large: {
    status: 431,
    title: 'Request headers too large',
    message: 'The request has more or larger headers than this site accepts.',
  },
  uri_too_long: {
    status: 414,
    title: 'URI too long',
    message: 'The address requested is longer than this site accepts.',
  },
  request_timeout: { status: 408, title: 'Request timeout', message: 'The request took too long to arrive.' },
  upstream_unavailable: {
    status: 502,
    title: 'Service unavailable',
    message: 'The site could not be reached. Please try again shortly.',
  },
  upstream_timeout: {
    status: 504,
    title: 'Service timeout',
    message: 'The site took too long to answer. Please try again shortly.',
  },
} as const satisfies Record<string, { status: number; title: string; message: string }>;

export type AnswerCode = keyof typeof ANSWERS;
