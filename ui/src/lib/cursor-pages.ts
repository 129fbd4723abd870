import { useState } from 'preact/hooks';

/**
 * Pages of a cursor-paged list: the cursors of the pages visited so far, so Previous goes back
 * without the server keeping state. `pager` gives the Pager's props for the page now shown.
 */
export function useCursorPages() {
  const [cursors, setCursors] = useState<(string | undefined)[]>([undefined]);
  return {
    cursor: cursors[cursors.length - 1],
    reset: () => setCursors([undefined]),
    pager: (nextCursor: string | null) => ({
      page: cursors.length,
      hasPrevious: cursors.length > 1,
      hasNext: nextCursor !== null,
      onPrevious: () => setCursors(cursors.slice(0, -1)),
      onNext: () => setCursors([...cursors, nextCursor ?? undefined]),
    }),
  };
}
