import assert from 'node:assert/strict';

/** What must never reach a client: stack frames, source or data paths, driver internals. */
export function assertNoInternals(body: unknown, label = ''): void {
  const text = typeof body === 'string' ? body : JSON.stringify(body);
  assert.doesNotMatch(
    text,
    /\bat [\w.<>]+ \(|\.ts:\d+|\.js:\d+|node_modules|\/work\/|\/tmp\/|\/home\/|\/usr\/|file:\/\/|stack|ECONN|postgres|kysely|relation "/i,
    `${label}: ${text.slice(0, 2000)}`,
  );
}

/** An openEO error body: id, code and message strings. */
export function assertOpenEOError(body: unknown, label = ''): void {
  const b = body as Record<string, unknown>;
  assert.ok(b && typeof b === 'object', `${label}: not a JSON object`);
  for (const k of ['id', 'code', 'message']) assert.equal(typeof b[k], 'string', `${label}: '${k}' in ${JSON.stringify(b).slice(0, 500)}`);
}
