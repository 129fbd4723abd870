import { useEffect, useState } from 'preact/hooks';

/** `value` once it has stopped changing for `delayMs`: a search box asks the server once per pause. */
export function useDebounced<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}
