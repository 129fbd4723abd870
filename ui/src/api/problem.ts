/** An RFC 9457 problem answered by the admin API, with its per-field messages. */
export interface FieldError {
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    /** keyscope's stable machine-readable code, e.g. `invalid_token`, `key_inactive`. */
    readonly code: string,
    readonly detail: string,
    readonly fieldErrors: FieldError[],
  ) {
    super(detail);
    this.name = 'ApiError';
  }
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}

function fieldErrorsOf(value: unknown): FieldError[] {
  if (!Array.isArray(value)) return [];
  return value.filter(isRecord).map((e) => ({ field: String(e.field ?? ''), message: String(e.message ?? '') }));
}

/** Reads a failed response as an ApiError, whatever its body turned out to be. */
export async function problemOf(res: Response): Promise<ApiError> {
  let body: unknown;
  try {
    body = await res.json();
  } catch {
    body = undefined;
  }
  if (!isRecord(body))
    return new ApiError(res.status, 'http_error', `The server answered ${res.status} ${res.statusText}`, []);
  return new ApiError(
    res.status,
    typeof body.code === 'string' ? body.code : 'http_error',
    typeof body.detail === 'string' ? body.detail : `The server answered ${res.status}`,
    fieldErrorsOf(body.errors),
  );
}

/** A message for anything thrown while talking to the server. */
export function messageOf(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof Error) return `Could not reach keyscope: ${error.message}`;
  return 'Something went wrong';
}
