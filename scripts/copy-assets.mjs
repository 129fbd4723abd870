// After tsc: copies what the compiled server reads at run time (SQL migrations) and makes the CLI executable.
import { chmodSync, cpSync } from 'node:fs';

cpSync('src/db/migrations', 'dist/db/migrations', { recursive: true });
chmodSync('dist/cli/keyscope.js', 0o755);
