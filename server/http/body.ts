import type { Context } from 'hono';
import type { z } from 'zod';
import type { ApiError, ErrorCode } from '../../shared/contract';
import { errorResponse } from './errors';

export type BodyResult<T> = { ok: true; value: T } | { ok: false; response: Response };

/** What was wrong with a body, as its 4xx will say it. */
export interface BodyProblem {
  status: 400 | 415;
  error: ErrorCode;
  message: string;
  extra: Omit<ApiError, 'error' | 'message'>;
}

export function isJsonContentType(value: string | undefined): boolean {
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
  options: { optional?: boolean } = {},
): Promise<BodyResult<T>> {
  const result = parseJsonBody(await c.req.text(), c.req.header('Content-Type'), schema, options);
  if (result.ok) return result;
  const { status, error, message, extra } = result.problem;
  return { ok: false, response: errorResponse(c, status, error, message, extra) };
}

/** `readJsonBody`'s rules on a body already read: the value, or the problem its answer states. */
export function parseJsonBody<T>(
  text: string,
  contentType: string | undefined,
  schema: z.ZodType<T>,
  { optional = false }: { optional?: boolean } = {},
): { ok: true; value: T } | { ok: false; problem: BodyProblem } {
  if (!isJsonContentType(contentType)) return fail(415, 'unsupported_media_type', 'Send the body as application/json.');
  if (optional && text.trim() === '') return parse(schema, {});
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return fail(400, 'bad_request', 'The request body is not valid JSON.');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    return fail(400, 'bad_request', 'The request body must be a JSON object.');
  }
  return parse(schema, json);
}

function parse<T>(schema: z.ZodType<T>, json: unknown): { ok: true; value: T } | { ok: false; problem: BodyProblem } {
  const result = schema.safeParse(json);
  if (result.success) return { ok: true, value: result.data };
  const issue = result.error.issues[0];
  if (issue.code === 'unrecognized_keys') {
    const keys = issue.keys.map((key) => JSON.stringify(key)).join(', ');
    return fail(400, 'bad_request', `Unknown field ${keys}.`, { field: issue.keys[0] });
  }
  const field = issue.path.map(String).join('.');
  return fail(400, 'bad_request', issue.message, field ? { field } : {});
}

function fail(
  status: BodyProblem['status'],
  error: ErrorCode,
  message: string,
  extra: BodyProblem['extra'] = {},
): { ok: false; problem: BodyProblem } {
  return { ok: false, problem: { status, error, message, extra } };
}
