import { badRequest } from '../../http/http-error.js';

/**
 * Bounds on what one resource may hold. Names and ids are indexed (a PostgreSQL index entry holds
 * at most ~2.7 kB, 512 characters of up to 4 bytes fit); the rest bounds the work of reading a
 * user back for PATCH (~40 µs per multi-valued element) and the size of a listed page.
 */
export const MAX_NAME_LENGTH = 512;
export const MAX_VALUES_PER_ATTRIBUTE = 100;
export const MAX_USER_ATTRIBUTES_BYTES = 64 * 1024;

export function checkNameLength(attribute: string, value: string | null): void {
  if (value === null || value.length <= MAX_NAME_LENGTH) return; // UTF-16 units: never fewer than characters
  const characters = [...value].length;
  if (characters > MAX_NAME_LENGTH) {
    throw badRequest(
      `${attribute} is ${characters} characters long; at most ${MAX_NAME_LENGTH} are allowed`,
      'invalidValue',
    );
  }
}

export function checkValueCount(attribute: string, values: readonly unknown[]): void {
  if (values.length > MAX_VALUES_PER_ATTRIBUTE) {
    throw badRequest(
      `${attribute} has ${values.length} values; at most ${MAX_VALUES_PER_ATTRIBUTE} are allowed`,
      'invalidValue',
    );
  }
}

export function checkUserAttributesSize(attributes: Record<string, unknown>): void {
  const bytes = Buffer.byteLength(JSON.stringify(attributes));
  if (bytes > MAX_USER_ATTRIBUTES_BYTES) {
    throw badRequest(
      `The user's attributes take ${bytes} bytes; at most ${MAX_USER_ATTRIBUTES_BYTES} are allowed`,
      'invalidValue',
    );
  }
}
