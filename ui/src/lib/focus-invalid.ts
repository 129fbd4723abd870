import { useLayoutEffect, useRef } from 'preact/hooks';

/**
 * Moves focus to the first control marked invalid whenever `errors` changes, so keyboard and
 * screen reader users land on the message (long dialogs scroll there too).
 */
export function useFocusFirstInvalid<T>(errors: T) {
  const form = useRef<HTMLFormElement>(null);
  useLayoutEffect(() => {
    const invalid = form.current?.querySelector<HTMLElement>('[aria-invalid="true"]');
    invalid?.focus();
  }, [errors]);
  return form;
}
