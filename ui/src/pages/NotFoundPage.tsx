import { Link } from '../components/Link';
import { hrefOf } from '../lib/router';

export function NotFoundPage() {
  return (
    <section class="page">
      <h1>Page not found</h1>
      <p>
        <Link href={hrefOf({ page: 'keys' })}>Go to API Keys</Link>
      </p>
    </section>
  );
}
