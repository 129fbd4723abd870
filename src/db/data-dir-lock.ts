import { linkSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'keyscope.lock';

export class DataDirInUseError extends Error {}

/** The lock files this process holds. */
const held = new Set<string>();

/**
 * Takes the embedded database directory for this process, before PGlite opens it: two PGlite
 * instances on one directory corrupt it. The lock is a file holding the owner's pid; a lock whose
 * process is gone (a crash, a killed container) is taken over. Returns the release function.
 */
export function lockDataDir(dir: string): () => void {
  const file = path.join(dir, LOCK_FILE);
  while (!createLock(file)) {
    const owner = lockOwner(file);
    // A restarted container can give this process the pid that the previous one left in the lock.
    const live = owner === process.pid ? held.has(file) : owner !== undefined && isRunning(owner);
    if (live) {
      throw new DataDirInUseError(
        `DATA_DIR ${dir} is in use by process ${owner} (stop it first, or use DATABASE_URL for several processes)`,
      );
    }
    rmSync(file, { force: true });
  }
  held.add(file);
  return () => {
    if (held.delete(file)) rmSync(file, { force: true });
  };
}

/**
 * Creates the lock unless it exists. Linked into place from a complete draft, so that another
 * process never reads a lock whose pid is not written yet (and would take it for stale).
 */
function createLock(file: string): boolean {
  const draft = `${file}.${process.pid}`;
  writeFileSync(draft, `${process.pid}\n`);
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function lockOwner(file: string): number | undefined {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return undefined; // released meanwhile
  }
  const pid = Number(text.trim());
  return Number.isInteger(pid) && pid > 0 ? pid : undefined;
}

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it runs, as another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
