import type { Group } from '../api/types';

export function SourceBadge({ source }: { source: Group['source'] }) {
  return <span class={`badge badge-source-${source}`}>{source === 'scim' ? 'Identity provider' : 'Local'}</span>;
}
