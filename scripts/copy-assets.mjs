// After tsc: copies what the compiled server reads at run time (SQL migrations) and makes the CLI executable.
import { chmodSync, cpSync, rmSync } from 'node:fs';

// A renamed or removed migration must not linger in dist/ and run again under its old name.
rmSync('dist/db/migrations', { recursive: true, force: true });
cpSync('src/db/migrations', 'dist/db/migrations', { recursive: true });
chmodSync('dist/cli/keyscope.js', 0o755);
