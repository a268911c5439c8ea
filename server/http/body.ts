import type { Context } from 'hono';
import type { z } from 'zod';
import { errorResponse } from './errors';

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

function isJsonContentType(value: string | undefined): boolean {
  return value !== undefined && /^application\/json\s*(;|$)/i.test(value.trim());
}

/**
 * Reads a JSON object body and checks it against `schema`. Every way a body can be wrong ends
 * in a 4xx that says what was wrong: 415 not JSON, 400 malformed, not an object, or a bad field.
 * With `optional`, an empty body counts as `{}`, but it still needs `Content-Type:
 * application/json`: a request without it is one a page on another site may send without a
 * CORS preflight.
 */
export async function readJsonBody<T>(
  c: Context,
  schema: z.ZodType<T>,
  { optional = false }: { optional?: boolean } = {},
): Promise<BodyResult<T>> {
  const text = await c.req.text();
  const contentType = c.req.header('Content-Type');
  if (!isJsonContentType(contentType)) {
    return fail(errorResponse(c, 415, 'unsupported_media_type', 'Send the body as application/json.'));
  }
  if (optional && text.trim() === '') return parse(c, schema, {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(errorResponse(c, 400, 'bad_request', 'The request body is not valid JSON.'));
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(errorResponse(c, 400, 'bad_request', 'The request body must be a JSON object.'));
  }
  return parse(c, schema, json);
}

function parse<T>(c: Context, schema: z.ZodType<T>, json: unknown): BodyResult<T> {
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    return fail(errorResponse(c, 400, 'bad_request', `Unknown field ${keys}.`, { field: issue.keys[0] }));
  }
  const field = issue.path.map(String).join('.');
  return fail(errorResponse(c, 400, 'bad_request', issue.message, field ? { field } : {}));
}

function fail(response: Response): BodyResult<never> {
  return { ok: false, response };
}
