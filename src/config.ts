import { availableParallelism } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { BlockList } from 'node:net';
import { DEFAULT_PROCESS_LIMITS } from './process-graph/limits.ts';
import { addCidr } from './security/address-ranges.ts';
import { parseAllowList } from './security/allow-list.ts';
import { OUTBOUND_DEFAULTS, type OutboundSettings } from './security/outbound-policy.ts';

/** Project root, resolved from this file so nothing depends on the working directory. */
export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface OidcProviderConfig {
  id: string;
  issuer: string;
  title: string;
  /** Expected `aud` of access tokens; unset → audience not checked. */
  audience?: string;
  scopes: string[];
  /** Client id advertised to clients (public clients, device flow). */
  defaultClientId?: string;
}

export interface Limits {
  /** Max JSON request body in bytes. */
  bodyBytes: number;
  /** Token lifetime in seconds. */
  tokenTtlSeconds: number;
  /** Max process graph nodes (all levels) and callback nesting depth. */
  graphNodes: number;
  graphDepth: number;
  /** Max page size of lists; without a `limit` a list is not paged. */
  pageMax: number;
  /** Concurrently running batch jobs in this process. */
  jobConcurrency: number;
  /** A running job without a heartbeat for this long was left by a process that stopped (it is resumed). */
  jobStaleSeconds: number;
  /** Worker threads computing chunks (0: in the main thread). */
  chunkThreads: number;
  /** Queued + running jobs per user. */
  jobsPerUser: number;
  /** Pixel budget for synchronous processing (POST /result). */
  syncPixels: number;
  /** Longest a POST /result may compute before it is refused (a long scalar evaluation holds the server's thread). */
  syncSeconds: number;
  /** Largest grid (width x height) one load may cover, and most time steps it may have. */
  loadPixels: number;
  timeSteps: number;
  /** Lifetime of signed result links in seconds. */
  resultLinkTtlSeconds: number;
  /** Failed /credentials/basic attempts per user or IP per minute. */
  loginAttemptsPerMinute: number;
  /** Most elements of an array a process makes (array_create, quantiles, …), and of values in a JSON result. */
  arrayElements: number;
}

export interface Config {
  /** unset → embedded PGlite under `dataDir/pglite`. */
  databaseUrl?: string;
  port: number;
  /** Where a `worker` serves its Prometheus metrics (0: not served). */
  metricsPort: number;
  host: string;
  /** Base URL clients use to reach us (links, signed URLs). */
  publicUrl: string;
  /**
   * Express's `trust proxy` (hops, addresses or subnets; unset: none): which proxies' X-Forwarded-For names the
   * client. Behind a reverse proxy every request otherwise comes from the proxy's address, and the per-address login
   * limit would lock out all users at once.
   */
  trustProxy?: boolean | number | string;
  dataDir: string;
  /** `file:///…` or a path → local folder; `s3://bucket/prefix` → S3. */
  storageUrl: string;
  s3: { endpoint?: string; region: string; forcePathStyle: boolean; accessKeyId?: string; secretAccessKey?: string };
  signingSecret: string;
  collectionsFile: string;
  oidcProviders: OidcProviderConfig[];
  demoUser: string;
  demoPassword?: string;
  logLevel: string;
  limits: Limits;
  backendId: string;
  title: string;
  /** Whether `serve` also runs queued jobs in-process. */
  runJobsInProcess: boolean;
  /**
   * Chunk worker threads start from a bundle of their sources (built with esbuild when the sources changed, cached
   * under node_modules/.cache) instead of loading them through tsx; off: always through tsx.
   */
  chunkWorkerBundle: boolean;
  /**
   * 'local': each job runs whole in one process (serve or worker). 'distributed': jobs are planned into chunk tasks on
   * a Postgres queue (pg-boss) that any number of `worker` processes share; needs DATABASE_URL.
   */
  execution: 'local' | 'distributed';
  queue: {
    leaseSeconds: number;
    retryLimit: number;
    chunksPerTask: number;
    /** A user's job waits (stays `queued`) while the user has this many running jobs (0: no limit). */
    userRunningJobs: number;
    /** ... or this many chunks not yet written in running jobs (0: no limit; a lone job may exceed it). */
    userQueuedChunks: number;
    /** Chunk tasks of one user running at once over all workers (0: no limit). */
    userRunningTasks: number;
  };
  /** Rules for requests sent on a user's behalf (see security/outbound.ts). */
  outbound: OutboundSettings;
}

type Env = Record<string, string | undefined>;

export class ConfigError extends Error {}

function int(env: Env, key: string, dflt: number, min = 0): number {
  const raw = env[key];
  if (raw === undefined || raw === '') return dflt;
  const v = Number(raw);
  if (!Number.isInteger(v) || v < min) throw new ConfigError(`${key} must be an integer >= ${min}, got '${raw}'`);
  return v;
}

function bool(env: Env, key: string, dflt: boolean): boolean {
  const raw = env[key]?.toLowerCase();
  if (raw === undefined || raw === '') return dflt;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(`${key} must be a boolean, got '${env[key]}'`);
}

function parseOidc(raw: string | undefined): OidcProviderConfig[] {
  if (!raw) return [];
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw);
  } catch {
    throw new ConfigError('OIDC_PROVIDERS must be a JSON array of {id, issuer, title, audience?, scopes?}');
  }
  if (!Array.isArray(parsed)) throw new ConfigError('OIDC_PROVIDERS must be a JSON array');
  return parsed.map((p, i) => {
    if (typeof p?.id !== 'string' || !/^[\w-]+$/.test(p.id) || typeof p?.issuer !== 'string') {
      throw new ConfigError(`OIDC_PROVIDERS[${i}] needs an 'id' (word characters) and an 'issuer' URL`);
    }
    return Object.freeze({
      id: p.id,
      issuer: p.issuer.replace(/\/$/, ''),
      title: typeof p.title === 'string' ? p.title : p.id,
      audience: typeof p.audience === 'string' ? p.audience : undefined,
      scopes: Array.isArray(p.scopes) ? p.scopes.map(String) : ['openid'],
      defaultClientId: typeof p.default_client_id === 'string' ? p.default_client_id : undefined,
    });
  });
}

/** OUTBOUND_ALLOW (hosts or URL prefixes, comma-separated), OUTBOUND_ALLOW_PRIVATE (true, false or CIDRs). */
function outboundSettings(env: Env): OutboundSettings {
  const list = (raw: string) => raw.split(',').map((s) => s.trim()).filter(Boolean);
  const allow = env.OUTBOUND_ALLOW ? list(env.OUTBOUND_ALLOW) : undefined;
  const rawPrivate = env.OUTBOUND_ALLOW_PRIVATE?.trim() ?? '';
  const allowPrivate = /^(|true|false|1|0|yes|no|on|off)$/i.test(rawPrivate) ? bool(env, 'OUTBOUND_ALLOW_PRIVATE', false) : list(rawPrivate);
  try {
    if (allow) parseAllowList(allow);
    if (Array.isArray(allowPrivate)) for (const c of allowPrivate) addCidr(new BlockList(), c);
  } catch (e) {
    throw new ConfigError(`OUTBOUND_ALLOW / OUTBOUND_ALLOW_PRIVATE: ${(e as Error).message}`);
  }
  return Object.freeze({
    allow: allow && Object.freeze(allow),
    allowPrivate: Array.isArray(allowPrivate) ? Object.freeze(allowPrivate) : allowPrivate,
    maxBytes: int(env, 'OUTBOUND_MAX_BYTES', OUTBOUND_DEFAULTS.maxBytes, 1024),
    timeoutMs: int(env, 'OUTBOUND_TIMEOUT_MS', OUTBOUND_DEFAULTS.timeoutMs, 100),
    maxRedirects: int(env, 'OUTBOUND_MAX_REDIRECTS', OUTBOUND_DEFAULTS.maxRedirects, 0),
  });
}

function executionMode(env: Env, embedded: boolean): 'local' | 'distributed' {
  const v = env.EXECUTION_MODE || 'local';
  if (v !== 'local' && v !== 'distributed') throw new ConfigError(`EXECUTION_MODE must be 'local' or 'distributed', got '${v}'`);
  if (v === 'distributed' && embedded) throw new ConfigError('EXECUTION_MODE=distributed needs DATABASE_URL (a Postgres shared by the workers)');
  return v;
}

/** Reads the environment once; the result is frozen and passed around through the context. */
export function loadConfig(env: Env = process.env): Config {
  const port = int(env, 'PORT', 8080);
  const dataDir = path.resolve(env.DATA_DIR || path.join(PROJECT_ROOT, 'data'));
  const embedded = !env.DATABASE_URL;
  const signingSecret = env.SIGNING_SECRET || '';
  if (!embedded && signingSecret.length < 16) {
    throw new ConfigError('SIGNING_SECRET (at least 16 characters) is required when DATABASE_URL is set');
  }
  const limits: Limits = Object.freeze({
    bodyBytes: int(env, 'LIMIT_BODY_BYTES', 1_000_000, 1024),
    tokenTtlSeconds: int(env, 'TOKEN_TTL_SECONDS', 24 * 3600, 60),
    graphNodes: int(env, 'LIMIT_GRAPH_NODES', 500, 1),
    graphDepth: int(env, 'LIMIT_GRAPH_DEPTH', 8, 1),
    pageMax: int(env, 'PAGE_MAX', 1000, 1),
    jobConcurrency: int(env, 'JOB_CONCURRENCY', 1, 1),
    jobStaleSeconds: int(env, 'JOB_STALE_SECONDS', 120, 2),
    chunkThreads: int(env, 'CHUNK_THREADS', availableParallelism(), 0),
    jobsPerUser: int(env, 'LIMIT_JOBS_PER_USER', 10, 1),
    syncPixels: int(env, 'LIMIT_SYNC_PIXELS', 25_000_000, 1),
    syncSeconds: int(env, 'LIMIT_SYNC_SECONDS', 300, 1),
    loadPixels: int(env, 'LIMIT_LOAD_PIXELS', 2_000_000_000, 1),
    timeSteps: int(env, 'LIMIT_TIME_STEPS', 5000, 1),
    resultLinkTtlSeconds: int(env, 'RESULT_LINK_TTL_SECONDS', 7 * 24 * 3600, 60),
    loginAttemptsPerMinute: int(env, 'LOGIN_ATTEMPTS_PER_MINUTE', 20, 1),
    arrayElements: int(env, 'LIMIT_ARRAY_ELEMENTS', DEFAULT_PROCESS_LIMITS.arrayElements, 1),
  });
  const publicUrl = (env.PUBLIC_URL || `http://localhost:${port}`).replace(/\/$/, '');
  return Object.freeze({
    databaseUrl: env.DATABASE_URL || undefined,
    port,
    metricsPort: int(env, 'METRICS_PORT', 0, 0),
    host: env.HOST || '0.0.0.0',
    publicUrl,
    trustProxy: parseTrustProxy(env.TRUST_PROXY),
    dataDir,
    storageUrl: env.STORAGE_URL || path.join(dataDir, 'results'),
    s3: Object.freeze({
      endpoint: env.S3_ENDPOINT || undefined,
      region: env.S3_REGION || env.AWS_REGION || 'us-east-1',
      forcePathStyle: bool(env, 'S3_FORCE_PATH_STYLE', true),
      accessKeyId: env.S3_ACCESS_KEY_ID || undefined,
      secretAccessKey: env.S3_SECRET_ACCESS_KEY || undefined,
    }),
    signingSecret,
    collectionsFile: path.resolve(env.COLLECTIONS_FILE || path.join(PROJECT_ROOT, 'collections', 'demo.json')),
    oidcProviders: parseOidc(env.OIDC_PROVIDERS),
    demoUser: env.DEMO_USER || 'demo',
    demoPassword: env.DEMO_PASSWORD || undefined,
    logLevel: env.LOG_LEVEL || 'info',
    limits,
    backendId: env.BACKEND_ID || 'openeo-backend',
    title: env.BACKEND_TITLE || 'openEO backend',
    runJobsInProcess: bool(env, 'RUN_JOBS_IN_PROCESS', true),
    chunkWorkerBundle: bool(env, 'CHUNK_WORKER_BUNDLE', true),
    execution: executionMode(env, embedded),
    queue: Object.freeze({
      leaseSeconds: int(env, 'QUEUE_LEASE_SECONDS', 30, 10),
      retryLimit: int(env, 'QUEUE_RETRY_LIMIT', 4, 0),
      chunksPerTask: int(env, 'CHUNKS_PER_TASK', 8, 1),
      userRunningJobs: int(env, 'LIMIT_RUNNING_JOBS_PER_USER', 4, 0),
      userQueuedChunks: int(env, 'LIMIT_QUEUED_CHUNKS_PER_USER', 20000, 0),
      userRunningTasks: int(env, 'LIMIT_RUNNING_TASKS_PER_USER', 0, 0),
    }),
    outbound: outboundSettings(env),
  });
}

/** TRUST_PROXY: true / false, a number of hops, or addresses and subnets (comma-separated), as Express takes them. */
function parseTrustProxy(v: string | undefined): boolean | number | string | undefined {
  if (v === undefined || v.trim() === '') return undefined;
  const t = v.trim();
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^\d+$/.test(t)) return Number(t);
  return t;
}
