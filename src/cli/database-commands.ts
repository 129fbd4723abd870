import { createKeyscope } from '../app.js';
import { loadConfig } from '../config.js';
import { migrate } from '../db/migrate.js';
import { openDb } from '../db/open-db.js';
import { createLogger } from '../http/logger.js';
import type { Output } from './output.js';

/**
 * `keyscope migrate`, `keyscope bootstrap` and `keyscope signing-keys rotate` work on the database
 * itself (DATABASE_URL or DATA_DIR).
 */
export async function runDatabaseCommand(
  command: 'migrate' | 'bootstrap' | 'signing-keys-rotate',
  out: Output,
): Promise<number> {
  const config = loadConfig();
  const logger = createLogger('warn');
  const db = await openDb({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
  try {
    const applied = await migrate(db);
    if (command === 'migrate') {
      out.print({ applied }, () => ({
        headers: ['APPLIED'],
        rows: applied.length ? applied.map((v) => [v]) : [['(already up to date)']],
      }));
      return 0;
    }
    const keyscope = await createKeyscope({ db, config, logger });
    try {
      if (command === 'signing-keys-rotate') {
        // Running servers hear of it through the change notification (or within 5 s by polling).
        const rotated = await keyscope.tokens.rotateOnDatabase();
        out.print(rotated, () => ({ headers: ['NEW KEY', 'RETIRED'], rows: [[rotated.kid, rotated.retired ?? '-']] }));
        return 0;
      }
      const boot = await keyscope.orgs.bootstrap(config.bootstrapAdminKey);
      if (!boot.created) {
        out.warn(`already bootstrapped: organization "${boot.organization.name}" exists; nothing created`);
        return 0;
      }
      if (out.json)
        out.print({
          organization: { id: boot.organization.id, name: boot.organization.name },
          token: boot.token ?? null,
        });
      else if (boot.token) {
        out.line(`created organization "${boot.organization.name}" with an admin key:\n\n  ${boot.token}\n`);
        out.warn('This token is shown once and cannot be shown again. Store it now.');
      } else
        out.line(`created organization "${boot.organization.name}" with the admin key given in BOOTSTRAP_ADMIN_KEY`);
      return 0;
    } finally {
      await keyscope.stop();
    }
  } finally {
    await db.close();
  }
}
