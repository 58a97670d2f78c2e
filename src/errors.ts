/**
 * The one error type of the backend. Every failure a client may see is an OpenEOError whose `code` is an openEO
 * error code; the HTTP status comes from ERROR_STATUS so handlers never pick statuses themselves.
 */
export const ERROR_STATUS = {
  Internal: 500,
  NotFound: 404,
  FeatureUnsupported: 501,
  InfrastructureBusy: 503,
  RequestTimeout: 408,
  BadRequest: 400,
  PayloadTooLarge: 413,
  TooManyRequests: 429,
  EstimateComplexity: 500,
  NoDataForUpdate: 400,
  PropertyNotEditable: 400,
  BillingPlanInvalid: 400,
  CollectionNotFound: 404,
  StorageFailure: 500,
  FileNotFound: 404,
  ContentTypeInvalid: 400,
  FormatUnsupported: 400,
  ProcessGraphNotFound: 404,
  ProcessInvalid: 400,
  ProcessGraphMissing: 400,
  ProcessGraphInvalid: 400,
  PredefinedProcessExists: 400,
  ProcessGraphComplexity: 400,
  ProcessUnsupported: 400,
  ProcessParameterUnsupported: 400,
  ProcessParameterInvalid: 400,
  ProcessParameterRequired: 400,
  NoDataAvailable: 400,
  JobNotFound: 404,
  JobLocked: 400,
  JobNotFinished: 400,
  JobNotStarted: 400,
  ResultLinkExpired: 410,
  ResultLinkInvalid: 403,
  AuthenticationRequired: 401,
  AuthenticationSchemeInvalid: 403,
  TokenInvalid: 403,
  CredentialsInvalid: 403,
  PermissionsInsufficient: 403,
  UpstreamUnavailable: 502,
  UpstreamInvalid: 502,
} as const satisfies Record<string, number>;

export type ErrorCode = keyof typeof ERROR_STATUS;

export interface OpenEOErrorOptions {
  /** Overrides the status from the table (only for codes used with more than one status by the spec). */
  status?: number;
  url?: string;
  cause?: unknown;
  /** Extra, client-safe fields put into the JSON body (e.g. `links`). */
  extra?: Record<string, unknown>;
  /** Response headers that go with the error (e.g. `Retry-After`). */
  headers?: Record<string, string>;
}

export class OpenEOError extends Error {
  /** One of ERROR_STATUS, or the name of a process's own exception (see processException). */
  readonly code: ErrorCode | (string & {});
  readonly status: number;
  readonly url?: string;
  readonly extra?: Record<string, unknown>;
  readonly headers?: Record<string, string>;

  constructor(code: ErrorCode, message: string, options: OpenEOErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'OpenEOError';
    this.code = code;
    // a code outside the table is a process's exception (see processException): a fault of the request's graph
    this.status = options.status ?? ERROR_STATUS[code] ?? 400;
    this.url = options.url;
    this.extra = options.extra;
    this.headers = options.headers;
  }

  /**
   * An exception a process defines (its spec's `exceptions`, e.g. DimensionNotAvailable): the API lets such a name
   * be the error's code, so clients can tell them apart; 400 like the other errors of a request's process graph.
   */
  static processException(name: string, message: string, extra?: Record<string, unknown>): OpenEOError {
    return new OpenEOError(name as ErrorCode, message, { status: 400, extra });
  }

  toJSON(id: string): Record<string, unknown> {
    return { id, code: this.code, message: this.message, ...(this.url ? { url: this.url } : {}), ...this.extra };
  }
}

export const isOpenEOError = (e: unknown): e is OpenEOError => e instanceof OpenEOError;

/** Wraps anything thrown into an OpenEOError without leaking internals (stack traces, paths) to clients. */
export function toOpenEOError(e: unknown): OpenEOError {
  if (isOpenEOError(e)) return e;
  return new OpenEOError('Internal', 'Server error: an unexpected error occurred. It has been logged.', { cause: e });
}
