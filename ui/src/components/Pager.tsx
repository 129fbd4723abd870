interface PagerProps {
  label: string;
  page: number;
  hasPrevious: boolean;
  hasNext: boolean;
  onPrevious: () => void;
  onNext: () => void;
}

/** Previous / Next over cursor pages (the API gives no totals). */
export function Pager({ label, page, hasPrevious, hasNext, onPrevious, onNext }: PagerProps) {
  if (!hasPrevious && !hasNext) return null;
  return (
    <nav class="pager" aria-label={label}>
      <button type="button" class="button" disabled={!hasPrevious} onClick={onPrevious}>
        Previous
      </button>
      <span>Page {page}</span>
      <button type="button" class="button" disabled={!hasNext} onClick={onNext}>
        Next
      </button>
    </nav>
  );
}
