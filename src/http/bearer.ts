/** RFC 6750 §2.1: the token of `Authorization: Bearer <token>`, or '' when there is none. */
export function bearerOf(header: string | undefined): string {
  return /^Bearer[ ]+([^\s]+)\s*$/i.exec(header ?? '')?.[1] ?? '';
}
