import { chmod, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';

/** What manage.py (or create_dot_application) does instead of, or besides, its normal run. */
export type EdxWorkerFault = 'pause-after-create' | 'garble' | 'hang' | 'fail' | 'noisy-stderr';

/**
 * How the simulated LMS is configured, as opposed to a fault: both can hold at once, and with
 * any fault. Read by each manage.py run when its settings load, so a switch applies from the next
 * command on, without restarting sshd or the LMS.
 */
export interface EdxWorkerModes {
  /**
   * django-oauth-toolkit ≥ 2.0's hashed client secrets: a plaintext secret is stored as a Django
   * password hash when the application is saved, so create_dot_application prints the hash.
   */
  hashedSecrets?: boolean;
  /** The LMS's LOGGING keeps the management commands' loggers at WARNING: no INFO lines at all. */
  quietLogging?: boolean;
}

// Files in the app user's home, where the simulated edx-platform looks for them.
const FAULT_FILE = '.simulator-fault';
const MODES_FILE = '.simulator-modes';

export async function writeFault(home: string, fault: EdxWorkerFault | null): Promise<void> {
  const file = join(home, FAULT_FILE);
  if (fault) await writeFile(file, fault);
  else await rm(file, { force: true });
  await chmod(home, 0o755);
}

export async function writeModes(home: string, modes: EdxWorkerModes): Promise<void> {
  const file = join(home, MODES_FILE);
  const wanted = { hashedSecrets: modes.hashedSecrets === true, quietLogging: modes.quietLogging === true };
  if (wanted.hashedSecrets || wanted.quietLogging) {
    await writeFile(file, JSON.stringify(wanted));
    // Written by root, read by the app user: world-readable whatever root's umask.
    await chmod(file, 0o644);
  } else await rm(file, { force: true });
  await chmod(home, 0o755);
}
