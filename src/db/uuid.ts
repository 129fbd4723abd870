const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Resource ids are uuids; anything else is answered as unknown before it reaches a uuid column. */
export const isUuid = (value: string): boolean => UUID.test(value);
